"""python -m nnlab ...: the commands.

May import: everything below it (not the estimator, not Streamlit).
"""
