"""inferfleet's library: Pulumi components, their typed specs and values, pure builders and catalogs.

Installed, it is the `inferfleet` package (`from inferfleet.scheduling.component import Kueue`);
in this repository it is `components`. Each layer is a package (`cloud`, `gpu`, `scheduling`,
`serving`, `network`, `monitoring`) holding its spec, resolver, values, builders and component;
`platform.InferencePlatform` composes them. Components take typed Args, never `pulumi.Config`.
Imports inside the library are relative, so it works under either name.
"""

from typing import Any

__all__ = ["InferencePlatform", "PlatformArgs", "PlatformValues", "Secrets"]


def __getattr__(name: str) -> Any:
    # Lazy, so that importing a catalog or a builder does not load Pulumi.
    if name in __all__:
        from . import platform

        return getattr(platform, name)
    raise AttributeError(name)
