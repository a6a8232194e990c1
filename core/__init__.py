"""The maths of RNN Lab: torch, numpy and gensim. Nothing here imports streamlit."""
