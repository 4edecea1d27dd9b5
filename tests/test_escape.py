"""User text shown as itself: in a chart (plotly reads HTML) and in Markdown."""
from nnlab.viz import escape


def test_chart_text_escapes_html():
    assert escape.chart("<b>my run</b> & co") == "&lt;b&gt;my run&lt;/b&gt; &amp; co"
    assert escape.chart("&lt;") == "&amp;lt;"  # an entity typed by the user stays as typed
    assert escape.chart(3) == "3" and escape.chart("run 1") == "run 1"


def test_markdown_text_escapes_every_special_character():
    assert escape.markdown("my *best* run_2") == r"my \*best\* run\_2"
    assert escape.markdown("[x](y) `c` $x$ :red[y] ~~s~~") == r"\[x\](y) \`c\` \$x\$ \:red\[y\] \~\~s\~\~"
    # a heading, a list or a quote opens only at the start: escaped there, left alone inside
    assert [escape.markdown(t) for t in ("# big", "- item", "+ item", "12. item", "3) item", "> quote")] == \
        [r"\# big", r"\- item", r"\+ item", r"12\. item", r"3\) item", r"\> quote"]
    assert escape.markdown("my-model v1.2 #3 (best).npz") == "my-model v1.2 #3 (best).npz"
    assert escape.markdown("<b>a</b> &amp;") == r"\<b\>a\</b\> \&amp;"
    assert escape.markdown("two\nlines") == "two lines" and escape.markdown("run 1") == "run 1"

