"""What the bot does for a shopper in the chat: put shown products in the cart, cancel an order."""
