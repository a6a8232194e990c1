"""The Streamlit side of RNN Lab: page shell, URL-bound widgets, charts, the training door, caches."""
