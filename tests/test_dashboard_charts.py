"""Server-drawn charts: accessible, escaped, and faithful to their figures (no app needed)."""

from __future__ import annotations

import xml.dom.minidom

from mentorship.services.charts import bar_chart, line_chart


def test_a_bar_chart_is_a_named_image_with_the_same_figures_as_its_table() -> None:
    chart = bar_chart("c", "Sessions <per> week", "Oldest first", ["a", "b"], [3, 17],
                      label_column="Week", value_column="Sessions")
    dom = xml.dom.minidom.parseString(str(chart.svg))
    svg = dom.documentElement
    assert svg.getAttribute("role") == "img"
    assert svg.getAttribute("aria-labelledby") == "c-title c-desc"
    assert dom.getElementsByTagName("title")[0].firstChild.data == "Sessions <per> week"
    assert chart.rows == [["a", "3"], ["b", "17"]]
    heights = [float(r.getAttribute("height")) for r in dom.getElementsByTagName("rect")]
    assert heights[1] / heights[0] == 17 / 3


def test_labels_are_escaped() -> None:
    chart = bar_chart("c", "T", "D", ['<script>alert("x")</script>'], [1],
                      label_column="L", value_column="V")
    assert "<script>" not in str(chart.svg)
    assert "&lt;script&gt;" in str(chart.svg)


def test_a_hidden_month_is_a_gap_in_the_line_and_says_why_in_the_table() -> None:
    chart = line_chart("r", "Ratings", "D", ["Jan", "Feb", "Mar", "Apr"],
                       [("Mentees", [4.0, None, 3.5, 4.5])], top=5, label_column="Month",
                       missing="Too few pairs to show")
    dom = xml.dom.minidom.parseString(str(chart.svg))
    lines = dom.getElementsByTagName("polyline")
    assert len(lines) == 1 and len(lines[0].getAttribute("points").split()) == 2  # Mar–Apr
    assert chart.rows[1] == ["Feb", "Too few pairs to show"]
    assert chart.rows[2] == ["Mar", "3.5"]
