"""The word-embeddings lesson: GloVe and its questions (vectors), word2vec and files (sources), the "bank"
GRU language model and the warm start (bank), and its Plotly figures (figures)."""
