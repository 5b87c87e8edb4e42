"""Recommendations that merge what the shopper said with what the shopper did."""
