"""Page layout: component ids, pure figure builders and the page's factory functions."""
