"""Action server settings (pydantic 1, as pinned by rasa), read once from the environment."""

from pydantic import BaseSettings, Field


class ActionSettings(BaseSettings):
    """Where the ShopTalk API is, and how long to wait for it."""

    shoptalk_api_url: str = Field("http://127.0.0.1:8000", env="SHOPTALK_API_URL")
    api_timeout_s: float = Field(5.0, env="SHOPTALK_API_TIMEOUT_S")
    cards_per_reply: int = Field(5, env="SHOPTALK_CARDS_PER_REPLY")
    # the action server's own credential for the API (the API reads the same ACTIONS_API_KEY)
    actions_api_key: str = Field("dev-actions-key", env="ACTIONS_API_KEY")


settings = ActionSettings()
