"""Chart cards: each chart with the table, download, text alternative and permalink that go with it.

A card is built once from the presenters' figures; the chart, its table and its CSV are all
made from that one list, so they cannot disagree. One module per card kind (`compare`, `trend`,
`map`, `deciles`, `profile`); `card` holds the card and the analyst's view, `cells` how a figure
is written in a table and a CSV, and `indicator_page` the charts of an indicator page.
"""
