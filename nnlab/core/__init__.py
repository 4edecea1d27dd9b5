"""The textbook network: activations, losses, initializers, layers, the network, the
settings table (hyperparams, config), augmentation, the gradient check.

May import: nothing else in nnlab (NumPy only; no Plotly, no Streamlit).
"""
