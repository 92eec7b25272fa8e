"""The contacts app's pages: parse -> access -> service -> render. Errors are raised (core.errors) and the
middleware renders them; a form catches them only to come back with what the person typed."""
