"""Genre families: a coarse grouping of the thousands of genre tags, used to calibrate the demo.

Rules are keyword matches tried in order; the first family whose keyword occurs in the tag wins.
"""

from __future__ import annotations

FAMILY_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("spoken word", ("hoerspiel", "comedy", "comedia", "poetry", "reading", "historier", "sogur",
                     "cabaret", "kabarett", "audiobook", "quran", "story", "stories", "lesung", "spoken")),
    ("children", ("copii", "chinderlieder", "ninos", "barnmusik", "kinder", "dzieciecy", "children",
                  "bambini", "yeladim", "dziesmas", "disney", "festigal", "kids", "infantil")),
    ("hip hop", ("hip hop", "rap", "trap", "grime", "drill")),
    ("electronic", ("house", "techno", "trance", "edm", "electro", "hardstyle", "big beat", "dubstep",
                    "drum and bass", "disco", "dance", "freestyle")),
    ("rock", ("rock", "metal", "punk", "grunge", "britpop", "mod revival", "new wave", "indie",
              "alternative")),
    ("latin", ("latin", "cumbia", "cuarteto", "merengue", "vallenato", "salsa", "bachata", "reggaeton",
               "tejano", "grupera", "bolero", "son cubano", "huayno", "tango", "mpb", "samba", "bossa",
               "folklore", "tipico", "zouk", "ranchera", "mariachi", "banda", "velha guarda")),
    ("jazz & soul", ("jazz", "blues", "soul", "swing", "big band", "lounge", "quiet storm", "r&b",
                     "funk", "gospel", "space age")),
    ("classical & instrumental", ("classical", "instrumental", "soundtrack", "choir", "orchestra",
                                  "opera", "vgm", "piano", "calming", "baroque", "movie", "hollywood",
                                  "romantic era", "early music")),
    ("folk & traditional", ("folk", "country", "chanson", "cantautor", "singer-songwriter", "rebetiko",
                            "laiko", "entehno", "blaskapelle", "dansband", "dansktop", "iskelma",
                            "schlager", "arabesk", "devotional", "nasheed", "judaica", "hengelliset",
                            "canto popular", "enka", "rebel song", "fado", "traditional")),
)
DEFAULT_FAMILY = "pop & other"
FAMILIES: tuple[str, ...] = (*(name for name, _ in FAMILY_RULES), DEFAULT_FAMILY)


def family_of(tag: str) -> str:
    """The family of one genre tag."""
    text = tag.lower()
    for family, keywords in FAMILY_RULES:
        if any(keyword in text for keyword in keywords):
            return family
    return DEFAULT_FAMILY
