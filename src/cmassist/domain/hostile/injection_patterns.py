"""The prompt-injection patterns, on folded text: each a kind, a weight, a reason a person can
read and a regular expression (a data table; `injection.detect_injection` runs them)."""

# ruff: noqa: E501  (attack patterns: one alternation per line reads better than wrapped regexes)

from __future__ import annotations

import re

from cmassist.domain.hostile.sensitive import SENSITIVE_ANY

_ANY = r"(?:all|any|every|the|your|my|these|those|its|prior|previous|earlier|above|preceding|original|initial|current|existing|old|system|default|safety|content|of|la|le|les|tes|vos|toutes?|tous|ces|tes|ses|leurs?|precedentes?|anciennes?|tes)"
_RULES = r"(?:instructions?|directions|rules?|prompts?|directives?|guidelines?|polic(?:y|ies)|programming|restrictions?|constraints?|filters?|orders?|commands?|training|guardrails?|consignes?|regles?|reglements?|programmation|filtres?|limites?|ordres?|politiques?|directives?|contraintes?)"

# Staff, brand and system voices an attacker borrows to make an order look like the brand's.
_NOTE_WORD = (
    r"(?:note|notes|nota|message|msg|memo|mot|avis|consignes?|instructions?|directives?|"
    r"rappel|reminder|notice|update|mise a jour|communique|announcement|annonce|addendum|"
    r"policy|politique|procedure|protocole?|bulletin)"
)
_STAFF = (
    r"(?:equipe|team|staff|marque|brand|direction|management|manager|gestionnaire|gerance|"
    r"gerant|admin|administration|administrat(?:eur|or|rice)|moderat(?:ion|eur|or|rice)|"
    r"service (?:client|a la clientele)|customer (?:service|care|support|success)|support|"
    r"social media|medias sociaux|community manager|personnel|employes?|employees?|entreprise|"
    r"company|siege(?: social)?|hq|headquarters|head office|proprietaires?|owners?|redaction|"
    r"compte officiel|official account|webmaster|developpeurs?|developers?|securite|security|"
    r"compliance|conformite|legal|juridique|marketing|communications?)"
)
_OFFICIAL = (
    r"(?:internes?|internal|officiel(?:le)?s?|official|staff|admin|moderation|systeme|system|"
    r"confidentiel(?:le)?s?|confidential|corporate|brand|team|equipe|de service)"
)
_OPEN = r"(?:[\[({]|<!--)\s*(?:[*_]+\s*)?"
_LINE = r"(?:^|\n|[.!?]\s+|[-–—*=#>|~]\s*)"
_FROM = r"\s+(?:de|du|des|d'|from|by|of)\s*(?:la |le |les |l'|the |our |notre |nos )?"
_CUSTOMER = (
    r"(?:customers?|clients?|clientes?|users?|utilisateurs?|utilisatrices?|abonnes?|followers?|"
    r"acheteurs?|buyers?|people|gens|everyone|everybody|tout le monde)"
)

PATTERNS: list[tuple[str, float, str, re.Pattern[str]]] = [
    (
        "override",
        1.0,
        "asks to ignore or replace the assistant's instructions",
        re.compile(
            r"\b(?:ignore|ignoring|disregard|forget|override|bypass|skip|drop|abandon|"
            r"neglect|discard|oublie[rsz]?|ignore[rsz]?|oubliez|ignorez|contourne[rsz]?|"
            r"laisse[rsz]? tomber|fais abstraction (?:de|des)|ne tiens? (?:pas|plus) compte (?:de|des)|"
            r"ne suis (?:pas|plus)|efface[rsz]?)\b"
            rf"(?:\s+{_ANY}){{0,4}}\s+(?:\w+\s+){{0,2}}{_RULES}\b"
        ),
    ),
    (
        "override",
        1.0,
        "asks the assistant to forget what it was told",
        re.compile(
            r"\b(?:forget|disregard|ignore|erase|oublie[rz]?|ignore[rz]?|efface[rz]?)\s+(?:about\s+)?(?:everything|all(?: of)? (?:that|this|the above)|anything|tout|toutes? (?:ce|les))\s+"
            r"(?:from before|before|above|you(?:'ve| have)? (?:learned|been told|know|were told)|that came before|ce qu'on (?:t'a|vous a) dit|ce qui precede|ce que tu sais|avant)\b"
            r"|\b(?:disregard|ignore|forget) (?:all |the )?(?:previous|prior|earlier|above|preceding) (?:messages?|text|conversation|context|prompts?)\b"
        ),
    ),
    (
        "override",
        1.0,
        "announces new instructions or a new policy for the assistant",
        re.compile(
            r"\b(?:new|updated|real|actual|true|revised|nouvelles?|vraies?|veritables?)\s+"
            r"(?:system\s+|systeme\s+)?(?:instructions?|rules?|policy|directives?|consignes?|"
            r"regles?|politique|prompt|ordres?)\b\s*[:\-]"
            r"|\b(?:your|tes|vos|ta)\s+(?:new|nouvelles?|nouveaux?|real|vraies?)\s+"
            r"(?:instructions?|task|mission|role|consignes?|regles?|tache|objectif)\b"
            r"|\b(?:instead|a la place|plutot),?\s+(?:you (?:will|must|should)|tu (?:vas|dois))\b"
        ),
    ),
    (
        "persona",
        1.0,
        "tries to give the assistant another persona or remove its limits",
        re.compile(
            r"\byou (?:are|will be|shall be|'re) (?:now|going to (?:be|act|pretend)|no longer)\b"
            r"|\bfrom now on,? (?:you|your|act|respond|reply|answer|always)\b"
            r"|\b(?:act|behave|respond|answer|reply) as (?:if you were |an? |my )?"
            r"(?:\w+\s+){0,2}(?:ai|assistant|bot|model|gpt|dan|character|persona|hacker|developer|admin|unrestricted|unfiltered|evil)\b"
            r"|\bpretend (?:to be|you(?:'re| are)|that you)\b|\brole-?play(?:ing)? as\b"
            r"|\b(?:i want you to|i need you to|you will|you are going to|you must|you'll|you shall|you can) (?:now )?(?:act|pretend|play|roleplay|role-play|simulate|become|imagine|answer as|respond as|speak as)\b"
            r"|\b(?:act|acting) as (?:an?|my|the) (?:\w+\s+){0,3}?(?:assistant|ai|bot|character|persona|entity|machine|model|generator|writer|expert)\b"
            r"|\b(?:play|simulate|emulate|personify|impersonate|mimic|embody|incarne[rsz]?|simule[rsz]?)\s+(?:\d+|two|three|deux|trois)?\s*(?:characters?|entities|personas?|roles?|personnages?|an? \w+ (?:ai|bot|gpt|assistant|character|persona|researcher|expert|hacker))\b"
            r"|\byou (?:now )?go by\b|\btransform into\b|\bact (?:like|as though|as if) (?:you|a|an|we)\b|\byou are to (?:act|be|play)\b"
            r"|\bimagine (?:that )?you (?:have|are|were)\b|\blet'?s play a game\b|\balter ego\b|\bjouons a un jeu\b|\bimagine que tu (?:es|as)\b"
            r"|\bpersonify\b|\b(?:now )?you act as\b|\bstay in character\b|\b(?:never|don't|do not|can't|cannot) break character\b|\bdo anything now\b|\bdeveloper mode\b|\bgod mode\b|\bjailbr(?:ea|o)k"
            r"|\bwithout (?:any )?(?:restrictions?|filters?|limits?|censorship|rules|ethics|guidelines)\b"
            r"|\bno (?:restrictions|filters|limits|rules|censorship|ethical guidelines)\b"
            r"|\b(?:unfiltered|uncensored|unrestricted|amoral) (?:ai|mode|assistant|model|response|version)\b"
            r"|\btu es (?:maintenant|desormais|a present|dorenavant)\b"
            r"|\bvous etes (?:maintenant|desormais|a present|dorenavant)\b"
            r"|\b(?:a partir de maintenant|desormais|dorenavant|a partir d'aujourd'hui),? (?:tu|vous|reponds|repondez|ecris|ecrivez|agis|agissez)\b"
            r"|\b(?:fais|faites) semblant (?:d'etre|que)\b|(?<!je )\bjoue[sz]? le role\b|\b(?:agis|agissez|comporte-toi|reponds) comme (?:si tu etais |un |une )"
            r"|\bsans (?:aucune? )?(?:restrictions?|filtres?|limites?|censure|regles?|ethique|consignes?)\b"
            r"|\bmode (?:developpeur|dieu|sans limite|libre)\b"
        ),
    ),
    (
        "extraction",
        1.0,
        "asks for the assistant's hidden prompt or instructions",
        re.compile(
            r"\b(?:reveal|show|print|display|output|repeat|recite|tell|give|share|write|leak|dump|"
            r"send|list|translate|encode|spell|what (?:is|are|were)|continue)\b(?:\s+\w+){0,4}?\s+"
            r"(?:your|its|the (?:initial|original|hidden|secret|internal|system|full)|initial|original|hidden|secret|internal)\s+(?:\w+\s+){0,2}"
            r"(?:system\s*(?:prompt|message|instructions?|configuration|settings)|prompt|instructions?|initial\s+\w+|configuration|rules you|guidelines you|pre-?prompt|initialization)\b"
            r"|\bsystem\s*(?:prompt|message)\b|\bsystemprompt\b|\binitiali[sz]ation string\b"
            r"|\b(?:montre|affiche|repete|revele|donne|ecris|imprime|recopie|dis|partage|traduis|envoie|liste|"
            r"montrez|affichez|repetez|revelez|donnez|ecrivez|dites|partagez|traduisez|envoyez)"
            r"(?:[\s\-]+\w+){0,4}?[\s\-]+(?:ton|tes|votre|vos|le|les|ta|la)\s+(?:\w+\s+){0,2}"
            r"(?:prompt|instructions?|consignes?|regles? (?:internes|secretes|cachees)|configuration|directives?|message systeme)\b(?<!les consignes)(?<!la configuration)"
            r"|\b(?:prompt|invite|message|instructions?|consignes?) (?:systeme|initiale?s?|cachee?s?|secrete?s?)\b"
            r"|\b(?:the )?(?:text|words|message|messages|everything|content|conversation) (?:above|before this|so far)\b"
            r"|\b(?:above|previous|preceding) (?:text|message|conversation|prompt)\b"
            r"|\b(?:initial|original|hidden|secret|internal|system|starting) (?:prompt|instructions?|configuration|message|settings|directives)\b"
            r"|\b(?:were|was) you (?:told|given|instructed|programmed)\b|\b(?:first|premiers?) \d+ (?:words|mots)\b|\b(?:the )?rules (?:you were|they) gave you\b|\bles regles qu'on t'a (?:donnees|dites)\b|\bi was instructed\b|\byou were (?:given|told)\b"
            r"|\b(?:not supposed|forbidden|not allowed|told not) to (?:tell|say|reveal|share)\b"
            r"|\b(?:this|the) (?:entire|whole) conversation\b|\b(?:administrator|admin|maintenance|debug) (?:override|mode)\b"
            r"|\bsystem_?prompt\b|\b(?:ce qu'on t'a dit|ce qu'on vous a dit|le texte (?:ci-dessus|au-dessus|precedent)|tes consignes de depart|tes instructions de depart)\b"
            r"|\bmy instructions are\b|\bmes (?:instructions|consignes) sont\b"
        ),
    ),
    (
        "delimiter",
        1.0,
        "contains prompt delimiters or chat-template tokens to break out of the comment",
        re.compile(
            r"</?\s*(?:comment|system|user|assistant|instructions?|data|context|prompt|s)\s*>"
            r"|<\|[a-z_]+\|>|<\s*(?:start|end)_of_turn\s*>|\[/?inst\]|<<\s*/?sys\s*>>"
            r"|(?:^|\n)\s*#{2,}\s*(?:instructions?|system|response|reponse|assistant|new task|nouvelle tache|reply|answer)\b"
            r"|(?:^|\n|\]|\))\s*(?:system|assistant|systeme|sys|admin|developer|operator)\s*:"
            r"|\[(?:system|admin|systeme|sys|developer|override|operator|assistant)(?: (?:message|note|notice|override|update))?\]"
            r"|\[\s*(?:your|put your|insert|insert your|ton|votre) (?:prompt|request|question)(?: here| ici)?\s*\]|\bdeveloper[_\\ ]+mode\b"
            r"|\b(?:prefix|role|rules|char|job|persona|mode)\s*=\s*\S"
            r"|(?:^|\s)\$(?:system|gpt|prompt|term\d*|sys)\b"
            r"|\bbegin (?:system|new) (?:prompt|instructions?)\b|\bend of (?:comment|user input|prompt)\b"
            r"|(?:^|\n)\s*(?:reply|reponse|answer)\s*:"
        ),
    ),
    (
        "addressed",
        1.0,
        "gives orders to the AI or bot that answers",
        re.compile(
            r"\b(?:dear |hey |hi |hello |attention |note (?:to|for|pour) (?:the )?|to the |cher |chere |salut |bonjour |a l'|au |pour l')?"
            r"(?:ai|a\.i\.|assistant|bot|chatbot|chat ?gpt|gpt|llm|language model|ia|i\.a\.|robot|intelligence artificielle|modele|model|auto-?reply|automated (?:system|assistant)|community bot)"
            r"\s*[,:;!.\-]\s*(?:please |svp |s'il te plait |stp )?"
            r"(?:\w+\s+){0,1}(?:you (?:must|will|should|have to)|reply|respond|answer|write|say|post|include|add|tell|insert|print|output|publish|repeat|copy|put|ignore|forget|"
            r"reponds|repondez|ecris|ecrivez|dis|dites|publie|publiez|inclus|incluez|ajoute|ajoutez|mets|mettez|repete|repetez|copie|copiez|oublie|ignore|tu dois|vous devez)\b"
            r"|\b(?:hi|hello|hey|dear|greetings|bonjour|salut|allo|coucou)\s+(?:there\s+)?(?:chat ?gpt|gpt-?\d*|bard|claude|gemini|llama|bing|copilot|ai|ia|assistant|bot|chatbot)\b"
            r"|\b(?:if you are|if you're|si tu es|si vous etes) (?:an? )?(?:ai|bot|assistant|language model|ia|robot|llm|gpt)\b"
        ),
    ),
    (
        "steering",
        0.6,
        "dictates the exact words, links or contacts the reply must contain",
        re.compile(
            r"\b(?:reply|respond|answer|write|say|post|start your (?:reply|answer|response)|end your (?:reply|answer)|begin your (?:reply|answer))\b"
            r"(?:\s+\w+){0,3}?\s+(?:only|exactly|verbatim|word for word|with (?:the (?:following|exact|link|text|sentence|phrase)|this|only)|in all caps|the following)\b"
            r"|\b(?:always|never|toujours|jamais) (?:start|begin|end|put|write|say|respond|reply|answer|include|commence|termine|ecris|reponds|inclus|mets)\b"
            r"|\b(?:repeat after me|copy (?:this|the following|exactly)|say (?:exactly|the following)|include (?:this|the following|that) (?:link|url|text|sentence|number|phone|email|message|phrase))\b"
            r"|\b(?:reponds|repondez|ecris|ecrivez|dis|dites|publie|publiez|commence|termine)\b(?:\s+\w+){0,3}?\s+"
            r"(?:seulement|uniquement|exactement|mot pour mot|textuellement|avec (?:ce|cette|le|la) (?:lien|texte|phrase|message|numero|courriel)|en majuscules|ceci|ce qui suit|la phrase suivante)\b"
            r"|\b(?:repete apres moi|recopie|copie (?:ce|cette|le|la|exactement)|inclus (?:ce|le|cette) (?:lien|texte|numero|courriel|phrase))\b"
        ),
    ),
    (
        "steering",
        1.0,
        "tells the brand's reply what to say",
        re.compile(
            r"\b(?:in|into|to|with|at the end of|end of|start of) (?:your|the brand'?s?|every|each|all|the) (?:public )?(?:reply|replies|answer|answers|response|responses)\b"
            r"|\b(?:every|each|chaque|toutes les|all) (?:reply|replies|reponses?|answers?)\b(?:[\w' ]{0,40})\b(?:must|should|will|doivent|doit|contient|contiennent|include|inclure)\b"
            r"|\b(?:replies|reponses)[\w' ]{0,30} (?:must|doivent|doit|should) (?:include|inclure|contenir|mention|link|mentionner)\b"
            r"|\b(?:for|pour) (?:your|ta|votre|vos|tes) (?:reply|replies|answer|reponses?)\b"
            r"|\b(?:update|mettez a jour|mets a jour) (?:your|vos|tes) (?:replies|answers|reponses)\b"
            r"|\b(?:tell|dis a|dites a) (?:everyone|everybody|tout le monde|le monde)\b|\bconfirm(?:e|ez)? (?:publicly|en public|publiquement)\b"
            r"|\b(?:write|ecris|ecrivez|redige) (?:a|une) (?:reply|answer|response|reponse) (?:as if|like|comme si)\b"
            r"|\b(?:commence|start|begin|termine|end|finis) (?:ta|votre|your) (?:reponse|reply|answer|response)\b"
            r"|\bwhen (?:you|u) (?:reply|answer|respond)\b|\b(?:reply|answer|respond)(?: to me| to this)? with\b"
            r"|\b(?:dans|a|au debut de|a la fin de) (?:ta|votre|vos|tes|chaque|toutes? les?) (?:reponses?|publications?)\b"
            r"|\bquand (?:tu|vous) (?:reponds|repondez)\b|\brepond(?:s|ez)-moi (?:avec|juste|seulement|exactement)\b|(?<!je )\brepond(?:s|ez)(?: juste| seulement| uniquement)? (?:avec|seulement|exactement)\b"
            r"|\b(?:reponds|repondez|ecris|ecrivez|publie|publiez|(?:ta|votre) reponse (?:peut|peux|pourrait)[\w-]*(?: \w+)?)(?: juste| seulement| uniquement)?(?: avec| par| etre juste| etre seulement)? (?:le|la|ce|cette) (?:texte|phrase|message|citation) (?:suivante?|ci-dessous|en bas|plus bas)\b"
            r"|\b(?:verbatim|word for word|mot pour mot|tel quel|telle quelle|textuellement|sans rien changer|don'?t change a thing|exactly this|exactement (?:ca|ceci))\b"
            r"|\b(?:copy|paste|echo|repeat|colle|copie|recopie|repete)(?:[\s-]+\w+){0,3}?[\s-]+(?:this|that|these|the following|below|ca|ceci|cette phrase|ce texte|ce qui suit)\b"
            r"|\b(?:step|part|etape|partie) (?:1|one|un|une)\b.{0,200}\b(?:step|part|etape|partie) (?:2|two|deux)\b",
            re.S,
        ),
    ),
    (
        "persona",
        1.0,
        "tries to give the assistant another persona or remove its limits",
        re.compile(
            r"\b(?:new|nouveau|nouvelle|ta|your) (?:persona|personnage|identite|identity|character|role)\b"
            r"|\b(?:you(?:'re| are) no longer|t'es (?:pus|plus)|tu n'es (?:plus|pas)|vous n'etes plus|not a (?:customer service )?bot)\b"
            r"|\b(?:honest|sudo|root|god|franc|admin|debug|unfiltered|evil) mode\b|\bmode (?:franc|sudo|root|admin|debug)\b"
            r"|\b(?:reste|stay) (?:dans|in) (?:ton|your) (?:personnage|character|role)\b"
            r"|\b(?:jeu de role|let'?s roleplay|roleplay|role-play|improv show|show d'impro|pretend we'?re|fais semblant)\b"
            r"|\b(?:imagine|pretend) (?:que )?(?:t'es|tu es|you(?:'re| are))\b"
        ),
    ),
    (
        "addressed",
        1.0,
        "leaves a note for the AI that writes the reply",
        re.compile(
            r"\b(?:note|notes|message|instructions?|directives?|avis|psa|memo|tip|conseil)s?\b[^.!?\n]{0,30}\b(?:pour|for|to|aux?|a) (?:l'|the |les |any |all )?(?:ia|ai|bot|bots|assistant|robot|outils d'ia|ai (?:tools|systems|assistants?|models?)|llm|gpt)\b"
            r"|\b(?:ai|ia) (?:assistant|tools?|systems?|models?|triage)\b|\b(?:assistant|ia|ai|bot)_?directive\b|\bthe bot (?:would|will|should)\b|\ble bot (?:va|le ferait)\b"
        ),
    ),
    (
        "delimiter",
        1.0,
        "fakes the end of the comment or a message from the brand's staff or system",
        re.compile(
            r"\b(?:end of (?:the )?(?:customer )?(?:comment|message|input)|fin du (?:commentaire|message))\b"
            r"|\b(?:admin note|note admin|operator|operateur|head office|siege social|sudo|root access|acces root)\b"
            r"|\"role\"\s*:\s*\"(?:system|assistant|developer)\"|<!--|\{\{|\}\}|</?\s*(?:commentaire|systeme|system)\s*>"
        ),
    ),
    (
        "hidden",
        1.0,
        "asks to decode hidden instructions and follow them",
        re.compile(
            r"\b(?:decode|decoder|rot13|hex(?:adecimal)?|base64|backwards|a l'envers|reverse)\b[^.!?\n]{0,60}\b(?:execute|executer|follow|suis|fais-le|do it|obey|applique|and do)\b"
            r"|\b(?:read|lis) (?:this|ca) (?:backwards|a l'envers)\b|\bapply rot13\b|\bapplique rot13\b"
        ),
    ),
    (
        "override",
        1.0,
        "claims a past agreement or an exception to the brand's rules",
        re.compile(
            r"\b(?:as you (?:agreed|promised|said)|comme (?:t'as|tu as|vous avez) (?:accepte|promis|dit)|you already agreed|continue where we left|continuing our (?:dm |private )?conversation|suite de notre conversation|your previous reply|ta reponse precedente|votre reponse precedente)\b"
            r"|\b(?:exception (?:to|a) (?:your|tes|vos) (?:rules?|regles?)|break the [\w' ]{0,20}rule|briser la regle|(?:your|tes|vos) (?:rules?|regles?)[\w' ]{0,30}(?:doesn'?t|don'?t|ne s'applique|permettent|allow|make exceptions)|(?:you'?re|t'es|tu es) (?:now )?allowed to|(?:rule|regle)s? (?:doesn'?t|don'?t|ne s'applique)|overrides? (?:every|all|any) (?:other )?(?:rules?|instructions?)|je te donne la permission|i give you permission|legal approved|l'equipe juridique a approuve)\b"
        ),
    ),
    (
        "jailbreak",
        0.35,
        "uses the vocabulary of known jailbreak prompts",
        re.compile(
            r"\b(?:dan|stan|dude|aim|evil-?bot|betterdan|antigpt|chatgpt|openai|ethical guidelines|content polic(?:y|ies)|"
            r"hypothetical (?:world|scenario|response)|fictional world|simulation|token system|tokens? will be deducted|"
            r"two (?:responses|paragraphs)|dual responses?|\[?(?:🔒|🔓)|classic|jailbroken|unethical|illegal content|"
            r"never refuse|cannot refuse|don't refuse|must comply|always comply|no warnings|without warnings|as an ai language model|"
            r"break character|immoral|nsfw|offensive content|politique de contenu|ne refuse jamais|sans avertissement|"
            r"illegal|unethical|explicit|without refusal|disclaimers?|never hesitat\w*|limitations?|role-?play|rp|"
            r"fictional|hypothetical|imaginary|entit(?:y|ies)|evil|uncensored|unfiltered|filters?|"
            r"character (?:data|description|persona|sheet)|ai(?:'s)?|language model|prompt|respond|responses?)\b"
        ),
    ),
    (
        "impersonation",
        1.0,
        "poses as a note from the brand's staff, moderators or system",
        re.compile(
            # bracketed: [Note de l'équipe Boréale : ...], (Message de la marque), [Internal memo]
            rf"{_OPEN}(?:{_OFFICIAL}\s+)?{_NOTE_WORD}(?:\s+{_OFFICIAL})?{_FROM}(?:\w+\s+){{0,3}}?{_STAFF}\b"
            rf"|{_OPEN}(?:(?:{_OFFICIAL}|{_STAFF})\s+){{1,2}}{_NOTE_WORD}\b|{_OPEN}{_NOTE_WORD}\s+{_OFFICIAL}\b"
            rf"|{_OPEN}(?:equipe|team|staff|admin\w*|moderat\w*|la direction|management|brand|marque|siege|hq|head office|compte officiel|official account|community manager)(?:\s+[\w'-]+){{0,2}}\s*[:–—]"
            rf"|{_OPEN}{_NOTE_WORD}\s+(?:de|du|from|by|d')\s*(?!(?:me|moi|myself|ma|mon|mes|my|a customer|un client|une cliente|bas de page)\b)(?:[\w'-]+\s+){{0,2}}[\w'-]+\s*[:\])}}]"
            # at the start of a line or sentence, with a colon: "Staff note:", "Admin:"
            rf"|{_LINE}(?:{_OFFICIAL}\s+)?{_NOTE_WORD}(?:\s+{_OFFICIAL})?{_FROM}(?:\w+\s+){{0,2}}?"
            r"(?:equipe|team|staff|marque|brand|direction|management|admin\w*|moderat\w*|siege|hq|head office|community manager)\b[^:\n]{0,20}:"
            rf"|{_LINE}(?:note|nota|memo|consignes?|directives?|instructions?|notice)(?:\s+{_OFFICIAL})?{_FROM}(?:\w+\s+){{0,2}}?{_STAFF}\b[^:\n]{{0,20}}:"
            rf"|{_LINE}(?:(?:{_OFFICIAL}|{_STAFF})\s+){{1,2}}{_NOTE_WORD}\s*:|{_LINE}{_NOTE_WORD}\s+{_OFFICIAL}\s*:"
            rf"|{_LINE}(?:admin(?:istrat(?:or|eur|ion|rice))?|moderat(?:or|eur|rice|ion)|staff|management|la direction|webmaster|community manager)\s*:"
            r"|\[//\]\s*:"
        ),
    ),
    (
        "steering",
        1.0,
        "tells the reply to ask customers for payment data, passwords or codes",
        re.compile(
            r"\b(?:ask(?: for)?|request|collect|obtain|require|demand|solicit|demander|demandez|"
            r"exiger|exigez|recueillir|recueillez|collecter|collectez|obtenir|obtenez|reclamer|reclamez|"
            rf"solliciter|sollicitez)\b(?=[^.!?\n]{{0,90}}\b{_CUSTOMER}\b)[^.!?\n]{{0,50}}?{SENSITIVE_ANY}"
        ),
    ),
    (
        "steering",
        1.0,
        "tells the brand's reply what to say",
        re.compile(
            r"\b(?:dans|a|en|pour|sur) (?:chaque|chacune des|toutes (?:les|vos|tes)) (?:reponses?|commentaires? publics?)\b"
        ),
    ),
]
