"""Channels: the Redis channel layer carries live updates between processes."""

from core.env import env_str

CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            "hosts": [env_str("ROOST_CHANNELS_REDIS_URL", env_str("ROOST_REDIS_URL", "redis://127.0.0.1:6379/0"))],
        },
    }
}
