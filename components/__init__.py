"""inferfleet's components: reusable Pulumi ComponentResources, pure builders and catalogs.

Import one layer (`components.scheduling.Kueue`, `components.gpu.GpuStack`, ...) or the whole
`InferencePlatform`. Components take typed values (`components.resolved`), never `pulumi.Config`.
The catalogs, sizing and builders import no Pulumi, so pure code can use them cheaply.
"""

from typing import Any

__all__ = ["InferencePlatform", "Secrets"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import platform

        return getattr(platform, name)
    raise AttributeError(name)
