"""Personal data in free text: recognise and mask it before it is stored or logged."""
