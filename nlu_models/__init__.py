"""The transformer NLU for purchase-intent recognition (intent, entities, funnel stage).

Kept free of Rasa except for the thin GraphComponent adapter; must import on Python 3.10.
"""
