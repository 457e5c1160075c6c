"""A myst-nb renderer that carries a figure's alt text into the built page.

:func:`relubook.plotting.show` displays a PNG whose output metadata holds
``{"alt": ...}``.  myst-nb 1.4 reads only width and height from output
metadata; this renderer (selected in ``_config.yml`` with
``nb_render_plugin: bookkit``) also reads ``alt``.  Cell-level
``mystnb.image.alt`` still wins when a chapter sets it.
"""

from __future__ import annotations

from myst_nb.core.render import MimeData, NbElementRenderer


class BookRenderer(NbElementRenderer):
    def render_image(self, data: MimeData):
        nodes_ = super().render_image(data)
        alt = data.output_metadata.get("alt") or data.output_metadata.get(data.mime_type, {}).get("alt")
        if alt:
            for node in nodes_:
                if not node.get("alt"):
                    node["alt"] = str(alt)
        return nodes_
