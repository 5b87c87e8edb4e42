"""The dialogue engine port (Rasa in production) and the chat turn that uses it."""
