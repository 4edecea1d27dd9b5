"""nnlab dashboard — filled in by the dashboard issue."""
import streamlit as st

st.set_page_config(page_title="nnlab", layout="wide")
st.title("nnlab")
