"""Pure Plotly figure builders, one module per lesson. They never import torch or streamlit."""
