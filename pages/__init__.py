"""Dashboard pages: one script per page, routed by app.py with st.navigation.
Their helpers (state, controls, the live-run loop, the lab's hooks, words) are in pages/helpers/."""
