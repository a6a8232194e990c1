"""RNN Lab: the entry point and the home page, a map of the lecture lesson by lesson.

Pages live in pages/ and share their frame through ui/ (see ui/shell.py); nothing imports this file.
"""

import streamlit as st

from ui.shell import LESSONS, setup_page

setup_page("Home")
st.title("RNN Lab — Applications of RNNs, live")
st.markdown(
    "Every lesson here is an experiment that **trains live on this machine**, on real data, "
    "with sliders for *what if?*. Each one follows a part of the lecture *Applications of RNNs*."
)
st.subheader("The lecture, lesson by lesson")
for lesson in LESSONS:
    with st.container(border=True):
        st.page_link(lesson["page"], label=lesson["title"], icon=lesson["icon"])
        st.caption(f"Lecture part: {lesson['part']}")
        st.write(lesson["what"])
st.subheader("Learning goals")
st.markdown(
    "- Understand application to **language modelling**\n"
    "- Get to know **encoder–decoder** architectures\n"
    "- Learn about **further RNN applications**"
)
st.caption("Each page's settings live in its URL: copy the address bar to share a scene with the class.")
