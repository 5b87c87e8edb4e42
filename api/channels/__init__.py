"""Shopper-facing channels (REST now; WebSocket and socket.io build on the same turn)."""
