"""The shape of a generated text: the brief's instructions copied into it, few-shot
scaffolding, a template's blank left to fill in, a text cut off mid-sentence, near-copies
of past posts and replies, and the hashtags a platform requires."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher

from cmassist.domain.guidelines import Rule
from cmassist.domain.platforms import HASHTAG
from cmassist.domain.textmatch import fold
from cmassist.services.checking.context import CheckContext
from cmassist.services.checking.copies import (
    check_near_copy,
    copy_index,
    unsigned,
    words_of,
)
from cmassist.services.checking.platform_rules import check_required_hashtags, emoji_spans

_WORD = re.compile(r"\w+")
_GAP = re.compile(r"[\W_]*")  # what may part two spans merged into one: no word


def check_shape(ctx: CheckContext) -> None:
    """Findings `copied_brief`, `scaffolding`, `blank`, `cut_off`, `near_copy`,
    `required_hashtag`."""
    check_copied_brief(ctx)
    check_blanks(ctx)
    check_cut_off(ctx, check_scaffolding(ctx))
    check_near_copy(ctx)
    check_required_hashtags(ctx)


# -- the brief's instructions ------------------------------------------------------------------

# Adjectives that make "ton" the tone ("ton chaleureux"), not "your" ("ton vélo"), and that
# say how to write after "be", "keep it", "sois"...
_TONE = (
    r"chaleureu(?:x|se)|leger|legere|drole|amicale?|professionnel(?:le)?|positi(?:f|ve)|"
    r"enjouee?|sobre|neutre|(?:in)?formel(?:le)?|decontractee?|rassurante?|empathique|"
    r"directe?|simple|humble|joyeu(?:x|se)|festi(?:f|ve)|calme|posee?|serieu(?:x|se)|fun|"
    r"complice|conviviale?|dynamique|inspirante?|bienveillante?|doux|douce|familiere?|"
    r"taquine?|engageante?|accueillante?|informati(?:f|ve)|claire?|concise?|courte?|bref|"
    r"breve|honnete|sincere|ludique|detendue?|enthousiaste|mesuree?|warm|friendly|playful|"
    r"upbeat|casual|(?:in)?formal|professional|reassuring|short|brief|light|cheerful|"
    r"serious|calm|positive|clear|factual|punchy|catchy"
)
_OBJECT = (
    r"(?:(?:the|our|your|les|nos|tes|vos|la|le|aux|au|a)\s+)?(?:followers|abonne(?:e)?s|"
    r"readers|lecteurs|lectrices|audience|communaute|community|clients?|clientes?|clientele|"
    r"customers?|gens|people|post|publication|texte|text|caption|legende|message)\b"
)
_LEAD = (
    r"^(?:(?:et|puis|and|then|also|aussi|please|svp|stp)\s+)*(?:(?:n'oublie(?:z)? pas d[e']|"
    r"don't forget to|make sure (?:to|you)|be sure to|pense(?:z)? a|assure(?:-toi|z-vous) d[e']|"
    r"il faut|tu dois|vous devez|you (?:must|should)|try to|essaie(?:z)? de)\s*)?"
)
_WRITER_VERBS = (
    # infinitives: how a brief asks in French ("Présenter le Nuit Polaire")
    r"ecrire|rediger|mentionner|inclure|souligner|insister|preciser|presenter|annoncer|"
    r"inviter|rappeler|expliquer|partager|decrire|mettre en (?:avant|valeur)|parler|evoquer|"
    r"citer|terminer|finir|commencer|conclure|eviter|utiliser|ajouter|garder|remercier|"
    r"encourager|inciter|demander|promouvoir|"
    # imperatives only a writer is given ("Mentionne le prix", not "Ajoute un sac")
    r"ecris(?! ?nous)|ecrivez(?! ?nous)|redige[sz]?|mentionne[sz]?|inclus|incluez|souligne[sz]?|"
    r"insiste[sz]?|evoque[sz]?|conclus|concluez|parle[sz]? (?:de|du|des)|"
    r"termine[sz]? (?:par|avec|sur)|finis(?:sez)? (?:par|avec|sur)|commence[sz]? (?:par|avec)|"
    r"evite[sz]? (?:de|d')|(?:rappelle[sz]?|dis|dites|explique[sz]?|precise[sz]?|annonce[sz]?)"
    r" (?:que|qu')|"
    r"write(?! (?:to )?us)|draft|mention|include|highlight|emphasi[sz]e|introduce|announce|"
    r"remind|explain|describe|promote|showcase|focus on|talk about|end (?:with|on)|"
    r"start (?:with|by)|begin (?:with|by)|finish (?:with|on)|conclude|avoid \w+ing|"
    r"(?:don't|do not|never) (?:mention|use|say|include|add)|n'utilise(?:z)? pas|"
    r"ne (?:mentionne[sz]?|mentionner|parle[sz]?|parler|dis|dites|utilise[sz]?|mets|mettez)"
)
# What a brief asks the writer to do ("Présenter le Nuit Polaire"): the topic may be in the
# text, the request may not.
_ASKS = re.compile(
    _LEAD
    + rf"(?:{_WRITER_VERBS})\b|"
    + _LEAD
    + r"(?:share|invite|ask|tell|encourage|thank|use|add|remercie[sz]?|invite[sz]?|partage[sz]?|"
    r"demande[sz]?|encourage[sz]?|rappelle[sz]?|presente[sz]?|annonce[sz]?|explique[sz]?|"
    rf"utilise[sz]?|ajoute[sz]?)\s+{_OBJECT}"
)
# How to write: tone, length, emoji, hashtags, punctuation, audience.
_HOW = re.compile(
    "|".join(
        (
            r"\b(?:tone|registre|longueur|length|caracteres?|characters?|chars|emojis?|"
            r"emoticones?|smileys?|hashtags?|mots?[- ]cl(?:ic|e)s?|points? d'exclamation|"
            r"exclamation(?: marks?| points?)?|ponctuation|punctuation|majuscules?|all caps|"
            r"auditoire|public cible|target audience|appel a l'action|call to action|cta|"
            r"tutoiement|vouvoiement|tutoie[sz]?|vouvoie[sz]?|tutoyer|vouvoyer|jargon|"
            r"superlatifs?|superlatives?|anglicismes?|phrases?|sentences?|paragraphes?|"
            r"paragraphs?|brand voice|voix de (?:la )?marque)\b",
            r"^(?:public|format|cible|audience|style|angle|langue|language|consignes?)\s*:",
            r"\b\d+\s*(?:mots|words|lignes|lines)\b|\bmax(?:imum)?\.?\s*\d+|\b\d+\s*max(?:imum)?\b",
            r"\b(?:le|un|du|au|d'un|sur un|meme|bon|quel) ton\b|\bton\s*:|\bton (?:de la marque|"
            rf"maison)\b|\bton (?:{_TONE})\b",
            r"\b(?:keep it|make it|fais|faites|sois|soyez)\s+(?:\w+\s+)?"
            rf"(?:{_TONE})\b",
        )
    )
)
_QUOTED = re.compile(r"«[^»]*»|“[^”]*”|\"[^\"]*\"")
_SENTENCE = re.compile(r"[^\n]+?(?:[.!?;…]+(?=\s|$)|$)", re.MULTILINE)
_CLAUSE = re.compile(r"(?<!\d),|,(?!\d)|\s[-–—]\s|[()\[\]]")


@dataclass(frozen=True)
class Instruction:
    """A clause of a brief that says how to write: its folded words and which of them
    make it an instruction (a copy must repeat those)."""

    text: str
    words: list[str]
    markers: frozenset[int]
    asks: bool  # only a request ("Présenter…"), not how to write: the rest is the topic


def brief_instructions(brief: str) -> list[Instruction]:
    """The clauses of a brief that say how to write (tone, style, length, emoji, hashtags,
    punctuation, audience, "write", "mention", "évite"...), in French and English. Quoted
    words are what the text should say, and questions are asked of the readers: neither is
    an instruction."""
    out = []
    plain = _QUOTED.sub("\n", brief)
    for sentence in _SENTENCE.finditer(plain):
        if sentence.group().rstrip().endswith("?"):
            continue
        for clause in _CLAUSE.split(sentence.group()):
            folded = fold(clause.strip(" \t.!;…:"))
            text = folded.text
            how = [m.span() for m in _HOW.finditer(text)]
            spans = how + [m.span() for m in _ASKS.finditer(text)]
            if not spans:
                continue
            tokens = list(_WORD.finditer(text))
            marks = frozenset(
                i for i, t in enumerate(tokens) if any(a <= t.start() < b for a, b in spans)
            )
            if len(tokens) >= 2 and marks:
                words = [t.group() for t in tokens]
                out.append(Instruction(clause.strip(), words, marks, not how))
    return out


def _in_order(a: list[str], b: list[str]) -> list[tuple[int, int]]:
    """The words two lists share in the same order, as (index in a, index in b) pairs."""
    blocks = SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()
    return [(m.a + k, m.b + k) for m in blocks for k in range(m.size)]


def find_in_order(clause: Instruction, words: list[str]) -> list[tuple[int, int, int]]:
    """Where `words` repeat the clause: most of its words in order (all of them, side by side,
    for a clause of three words or fewer), its instruction words among them. Returns the
    first and last word indices and that of the first instruction word."""
    n = len(clause.words)
    need = n if n <= 3 else math.ceil(0.75 * n)
    width = n if n <= 3 else n + max(2, n // 3)
    starts = set(clause.words[: n - need + 1])
    found: list[tuple[int, int, int]] = []
    i = 0
    while i < len(words):
        pairs = _in_order(clause.words, words[i : i + width]) if words[i] in starts else []
        marked = [i + w for c, w in pairs if c in clause.markers]
        if len(pairs) >= need and marked and (n > 3 or pairs[-1][1] - pairs[0][1] == n - 1):
            found.append((i + pairs[0][1], i + pairs[-1][1], marked[0]))
            i += pairs[-1][1] + 1
        else:
            i += 1
    return found


def merge_spans(text: str, spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Character spans merged where they overlap or only spaces and punctuation part them."""
    merged: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if merged and (a <= merged[-1][1] or _GAP.fullmatch(text[merged[-1][1] : a])):
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


_CLAUSE_START = set('.!?…:;,\n(«"“—–-•*')


def check_copied_brief(ctx: CheckContext) -> None:
    """The brief's instructions repeated in the text: «Ton chaleureux, un seul point
    d'exclamation.» at the end of a post. Its topic and facts may appear; its instructions
    may not. A request ("Présenter le Nuit Polaire") counts where the text makes it too, at
    the start of a clause: "on vous rappelle que…" is the text speaking, not the brief."""
    if not ctx.brief.strip():
        return
    text_words = words_of(ctx.folded)
    hits: dict[tuple[int, int], Instruction] = {}
    for ins in brief_instructions(ctx.brief):
        for first, last, at in find_in_order(ins, text_words.words):
            before = ctx.text[: text_words.spans[at][0]].rstrip(" \t\u00a0")
            if ins.asks and before and before[-1] not in _CLAUSE_START:
                continue
            hits.setdefault((text_words.spans[first][0], text_words.spans[last][1]), ins)
    for a, b in merge_spans(ctx.text, hits):
        found = [ins for (x, _), ins in hits.items() if a <= x < b]
        how = any(not ins.asks for ins in found)
        a, b = _whole_sentence(ctx, a, b) if how else (a, b)
        term = next(ins.words[min(ins.markers)] for ins in found)
        ctx.add(
            "copied_brief",
            None,
            a,
            b,
            f"The {ctx.kind} repeats its brief's instructions: “{ctx.text[a:b].strip()}”. "
            "A brief says how to write; the text must not say it.",
            query=f"tone and style of {ctx.where.lower()}: {term}" if how else ctx.where,
            term=term,
            suggestion="remove the brief's instruction from the text"
            if how
            else "write the post itself, not the brief's request for it",
            replacement="" if how else None,
        )


def _whole_sentence(ctx: CheckContext, a: int, b: int) -> tuple[int, int]:
    """The span widened to its sentence's end mark when it ends the sentence and nothing of
    the sentence stands before it (an emoji may: "☕ Sans hashtag."). Otherwise the mark
    stays for the words before it ("Nouveau café, ton léger." -> "Nouveau café.")."""
    seg = next((s for s in ctx.segments if s.start <= a < s.end), None)
    if seg is None or not _GAP.fullmatch(ctx.text[b : seg.end]):
        return a, b
    before = ctx.text[seg.start : a].rstrip()
    if before and (before[-1].isalnum() or before[-1] in ",;:"):
        return a, b
    return a, len(ctx.text[: seg.end].rstrip())


# -- few-shot scaffolding ----------------------------------------------------------------------

# Labels of the few-shot documents (prompts/*.j2) at the start of a line; "Note:" only when
# what follows is guideline text, since a post may well say "Note : fermé lundi".
_INPUT_LABELS = "comments?|commentaires?|topic|sujet|policy|politique|brief|note"
_OUTPUT_LABELS = "reply|replies|r[ée]ponses?|post|publication|draft|brouillon"
_LABEL = re.compile(
    rf"^[ \t>*_]*(?:-{{2,}}[ \t]*)?(?P<label>{_INPUT_LABELS}|{_OUTPUT_LABELS})"
    r"[ \t\u00a0\u202f]*:",
    re.IGNORECASE | re.MULTILINE,
)
_INPUT = re.compile(rf"(?:{_INPUT_LABELS})", re.IGNORECASE)
_TOKENS = re.compile(
    r"#{3,}|<\|[^|>\n]{1,40}\|>|\[/?INST\]|<</?SYS>>|</?(?:s|eos|bos|pad|start_of_turn|"
    r"end_of_turn|comment|brief|draft|goal|text|message|topic|data|system|user|assistant|"
    r"model)\s*>|\bpast (?:\w+ )?(?:posts|replies) by\b|\bwrite one (?:\w+ )?(?:post|reply) in\b|"
    r"\binternal reference\b|\bfor tone and format\b|\brewrite it in\b|"
    r"\bwhat is wrong with the draft\b|\breply policy\s*:|\bbrand guidelines\s*:|"
    r"\banswer with the (?:post|reply) text only\b",
    re.IGNORECASE,
)
_HEADER = re.compile(r"^[^\n]*·[^\n]*$", re.MULTILINE)
_HEADER_PARTS = ("francais", "french", "english", "anglais", "replies on", "reponses sur")


def _scaffolds(ctx: CheckContext) -> list[tuple[int, int, bool]]:
    """Pieces of the prompt's format: (start, end, whether the whole line goes with it)."""
    found = [(m.start(), m.end(), False) for m in _TOKENS.finditer(ctx.text)]
    brand = fold(ctx.profile.name).text
    for m in _HEADER.finditer(ctx.text):
        parts = [fold(p).text.strip() for p in m.group().split("·")]
        if parts[0] == brand or any(p.startswith(_HEADER_PARTS) for p in parts):
            found.append((m.start(), m.end(), True))
    for m in _LABEL.finditer(ctx.text):
        label = m.group("label")
        if label.lower() == "note":
            line_end = ctx.text.find("\n", m.end())
            rest = ctx.text[m.end() : line_end if line_end >= 0 else len(ctx.text)]
            if not copy_index(ctx.profile).is_guideline_text(rest):
                continue
        found.append((m.start("label"), m.end(), bool(_INPUT.fullmatch(label))))
    return sorted(found, key=lambda s: (s[0], -s[1]))


def check_scaffolding(ctx: CheckContext) -> int:
    """The prompt's few-shot format in the text ("Reply:", "--- Comment: «…»", "###",
    "<end_of_turn>", the "Brand · Platform · language" header...). Before any word of the
    text it is removed; after one, the text is cut there, since the rest is the model going
    on with the examples. Returns where the text proper ends."""
    found = _scaffolds(ctx)
    done = 0  # the text before this is scaffolding removed already
    for a, b, line in found:
        if a < done:
            continue
        shown = " ".join(ctx.text[a:b].split())[:60]
        line_start = ctx.text.rfind("\n", 0, a) + 1
        if not any(ch.isalnum() for ch in ctx.text[done:a]):
            end = ctx.text.find("\n", b) + 1 if line else b
            end = end if end > 0 else len(ctx.text)
            while end < len(ctx.text) and ctx.text[end] in " \t\u00a0":
                end += 1
            _add_scaffold(ctx, line_start if line else a, end, shown, "remove it")
            done = end
            continue
        start = line_start if not ctx.text[line_start:a].strip(" \t-–—>*") else a
        start = len(ctx.text[:start].rstrip())
        _add_scaffold(ctx, start, len(ctx.text), shown, _CUT)
        return start
    return len(ctx.text)


_CUT = "cut the text here: what follows continues the prompt's examples"


def _add_scaffold(ctx: CheckContext, a: int, b: int, shown: str, suggestion: str) -> None:
    ctx.add(
        "scaffolding",
        None,
        a,
        b,
        f"The prompt's format leaked into the {ctx.kind}: “{shown}”.",
        query=f"{ctx.where} format: the {ctx.kind} text only, before publishing checklist",
        suggestion=suggestion,
        replacement="",
    )


# -- a template's blank ------------------------------------------------------------------------

# "[heure]", "[product, lot]", "{{time}}", "<date>": what a holding statement or reply
# template leaves for a person; not a Markdown link's text ("[site](https://…)")
_BLANK = re.compile(
    r"\[(?=[^\[\]\n]{1,40}\])[^\[\]\n]*?[^\W\d_][^\[\]\n]*\](?!\()|\{\{[^{}\n]{1,40}\}\}"
    r"|<(?:date|time|heure|nom|name|produit|product|lot)>",
    re.IGNORECASE,
)


def check_blanks(ctx: CheckContext) -> None:
    """A blank of a template ("[heure]", "[product, lot]") still in the text: it blocks
    until a person writes what goes there."""
    for m in _BLANK.finditer(ctx.text):
        ctx.add(
            "blank",
            None,
            m.start(),
            m.end(),
            f"A blank of the template is left to fill in: “{m.group()}”.",
            query=f"{ctx.where} holding statement template to fill in before publishing",
            suggestion="write what goes there (the product and lot, the time) before submitting",
        )


# -- a text cut off ----------------------------------------------------------------------------

_SPACES = " \t\u00a0\u202f\n"
_TAIL_LINK = re.compile(
    r"(?:https?://\S+|www\.\S+|\S+@\S+\.\S+|(?<!\S)@[\w.@-]+|\b(?:[\w-]+\.)+[a-z]{2,}(?:/\S*)?)$",
    re.IGNORECASE,
)
_TAG_END = re.compile(r"(?<![\w#])#[^\s#]+$")
_MENTION = re.compile(r"(?<![\w@])@[\w.@-]+")
# Words a sentence does not end on (checked as written, so "là" and "où" are not "la", "ou").
_DANGLING = frozenset(
    """et de des du à au aux le la les un une pour avec ou mais que dans par
    and the of to with for or a an but our your their my from""".split()  # noqa: SIM905
)
_DANGLING_MARKS = ",:;«“([—–"
_CLOSING = ")]}»”\"'’"
_ENDS = ".!?…。！？"
_SENTENCE_END = re.compile(rf"[{_ENDS}]+(?=\s)|\n")


def _only_tags(line: str) -> bool:
    """A line of hashtags (mentions and emoji with them) and no words."""
    rest = _MENTION.sub(" ", HASHTAG.sub(" ", line))
    return "#" in line and not _WORD.search(rest)


_SIGNED = re.compile(r"\n[ \t]*[—–-][ \t]*\w[^\n]{0,40}$")  # "— Camille", another signature


def _without_signature(ctx: CheckContext, text: str) -> str:
    rule = ctx.rules.reply_signature
    body, signed = unsigned(text, rule.variants() if rule else [])
    return body if signed else _SIGNED.sub("", body).rstrip()


def check_cut_off(ctx: CheckContext, end: int | None = None) -> None:
    """A text that stops mid-sentence: its last sentence (hashtags, emoji, links, mentions
    and the reply signature aside) ends on a dangling word or mark ("et", "the", a comma),
    a block; or has no final punctuation with nothing after it, a warning. A link or an
    address ends a sentence, and so does a line of hashtags."""
    body = _without_signature(ctx, ctx.text[:end] if end is not None else ctx.text)
    if not body or _only_tags(body.rsplit("\n", 1)[-1]):
        return
    emoji_at = {b: a for a, b in emoji_spans(body)}
    stop, decorated = len(body), False
    while True:
        s = body[:stop].rstrip(_SPACES)
        if not s or _TAIL_LINK.search(s):
            return
        tag = _TAG_END.search(s)
        if tag is None and len(s) not in emoji_at:
            break
        stop, decorated = (tag.start() if tag else emoji_at[len(s)]), True
    word = re.search(r"(\w+)['’]?$", s)
    last = word.group() if word else ""
    if re.fullmatch(r"[ldjmnstc]['’]|qu['’]", last, re.IGNORECASE) or (
        last.lower() in _DANGLING and last != "A"
    ):
        message, rule = f"The {ctx.kind} stops mid-sentence, on “{last}”.", None
    elif s[-1] in _DANGLING_MARKS:
        message, rule = f"The {ctx.kind} stops mid-sentence, on “{s[-1]}”.", None
    elif s[-1] in _ENDS + _CLOSING or decorated:
        return
    else:  # a complete sentence may lack its full stop: a warning, not a block
        message = f"The {ctx.kind} ends without final punctuation: it may be cut off."
        rule = Rule(severity="warn")
    starts = [m.end() for m in _SENTENCE_END.finditer(s)]
    start = starts[-1] if starts else 0
    start += len(s[start:]) - len(s[start:].lstrip(_SPACES))
    complete = s[:start].rstrip(_SPACES)
    ctx.add(
        "cut_off",
        rule,
        start,
        len(s),
        message,
        query=f"{ctx.where if ctx.kind == 'post' else 'replies'} written in full sentences",
        suggestion="finish the sentence or remove it",
        replacement="" if complete and complete[-1] in _ENDS + _CLOSING else None,
    )
