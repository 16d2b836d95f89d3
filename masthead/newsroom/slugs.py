"""Page addresses: slugs made from headlines (Ukrainian in Ukraine's official romanisation), kept unique.

A page that was never published has a provisional address: when it clashes with another page it becomes
`-2`, `-3`… (as Ghost does) instead of failing the form, and when the page is submitted or published it takes
its headline's address back from drafts that were never published (an autosave the editor abandoned holds no
address). A published page's address changes only when an editor changes it, and never to a taken one.
"""

from django.db.models import Q
from django.utils.text import slugify
from wagtail.models import Page

from masthead.newsroom.models.routing import HOME_CHILD_DEPTH, RESERVED_SLUGS, FlatURLMixin, flat_pages_q

# Ukraine's official romanisation (Cabinet of Ministers resolution 55 of 2010); Russian letters it lacks follow
# the same system. FIRST: the spelling at the start of a word.
ROMAN = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie", "ж": "zh", "з": "z",
    "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
    "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch",
    "ь": "", "ю": "iu", "я": "ia", "'": "", "’": "", "ʼ": "",
    "ы": "y", "э": "e", "ё": "io", "ъ": "",
}  # fmt: skip
FIRST = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya", "ё": "yo"}
MAX_LENGTH = 100


def transliterate(text: str) -> str:
    out = []
    previous = " "
    for char in text.lower():
        if char == "г" and previous == "з":
            out.append("gh")  # зг is "zgh", so that it is not read as "zh"
        elif char in FIRST and not previous.isalpha():
            out.append(FIRST[char])
        else:
            out.append(ROMAN.get(char, char))
        previous = char
    return "".join(out)


def slug_from(text: str) -> str:
    """An address from a headline: lower-case ASCII words joined by hyphens, at most 100 characters, cut at a
    word. Scripts with no romanisation here keep their letters (Wagtail allows Unicode addresses)."""
    slug = slugify(transliterate(text)) or slugify(text, allow_unicode=True)
    if len(slug) > MAX_LENGTH:
        slug = slug[:MAX_LENGTH].rsplit("-", 1)[0]
    return slug


def in_flat_namespace(page: Page, parent: Page | None) -> bool:
    """Whether the page answers at /<slug>/: articles and sections wherever they are, the home page's children."""
    return isinstance(page, FlatURLMixin) or (parent is not None and parent.depth == HOME_CHILD_DEPTH - 1)


def holders(slug: str, *, page: Page, parent: Page | None):
    """The other pages that have this address: siblings, and in the flat namespace any page answering there."""
    scope = Q(path__startswith=parent.path, depth=parent.depth + 1) if parent is not None else Q(pk__in=[])
    if in_flat_namespace(page, parent):
        scope |= flat_pages_q()
    same = Page.objects.filter(scope, slug=slug)
    return same.exclude(pk=page.pk) if page.pk else same


def address_taken(slug: str, *, page: Page, parent: Page | None, drafts_count: bool = True) -> bool:
    """Whether another page has this address (or it is reserved); `drafts_count=False` ignores pages never
    published."""
    if in_flat_namespace(page, parent) and slug in RESERVED_SLUGS:
        return True
    same = holders(slug, page=page, parent=parent)
    if not drafts_count:
        same = same.filter(Q(live=True) | Q(first_published_at__isnull=False))
    return same.exists()


def address_free(slug: str, *, page: Page, parent: Page | None, also_taken: frozenset = frozenset()) -> str:
    """This address, or the first of `-2`, `-3`… that no other page has."""
    candidate, n = slug, 1
    while candidate in also_taken or address_taken(candidate, page=page, parent=parent):
        n += 1
        candidate = f"{slug[: MAX_LENGTH - 8]}-{n}"
    return candidate


def address_claim(slug: str, *, page: Page, parent: Page | None) -> bool:
    """Take `slug` for a page about to be submitted or published, moving aside the never-published drafts that
    hold it (they get `-2`…). False when a published page or a reserved address has it."""
    if address_taken(slug, page=page, parent=parent, drafts_count=False):
        return False
    for draft in holders(slug, page=page, parent=parent).specific():
        draft_parent = draft.get_parent()
        draft.slug = address_free(slug, page=draft, parent=draft_parent, also_taken=frozenset({slug}))
        draft.set_url_path(draft_parent)
        draft.save(clean=False, update_fields=["slug", "url_path"])
    return True
