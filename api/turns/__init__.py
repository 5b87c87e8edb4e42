"""A chat turn: store the message, understand and answer it, recover turns a crash left."""
