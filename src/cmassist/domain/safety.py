"""Safety, health and legal reports in incoming messages: the ones a person must handle now.

A report says something happened: a foreign body found in food or drink, an injury, an
illness, an allergic reaction, a burn, a child hurt, a legal threat. A question ("no
allergens?", "is it safe for kids?") is not a report; it is read as a health question.
French (Québec's included) and English, on folded text (no case, no accents), so informal
spelling without accents matches too. Triage escalates every report, above any crisis or
sentiment rule, and shows the category and the words that matched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from cmassist.domain.textmatch import fold

Category = Literal["foreign_body", "injury", "illness", "allergy", "burn", "child", "legal"]
CATEGORY_NAMES: dict[str, str] = {
    "foreign_body": "foreign body",
    "injury": "injury",
    "illness": "illness",
    "allergy": "allergic reaction",
    "burn": "burn",
    "child": "child involved",
    "legal": "legal threat",
}
HEALTH_NAMES: dict[str, str] = {
    "allergy": "allergens or diet",
    "pregnancy": "pregnancy",
    "child": "children",
    "safety": "product safety",
    "illness": "illness",
}


def _rx(parts: Iterable[str]) -> re.Pattern[str]:
    return re.compile(r"(?<![\w])(?:" + "|".join(parts) + r")(?![\w])")


# One optional intensifier between a verb and what it says ("got really sick", "été pas mal
# malade"): a fixed list, so that a negation can never hide inside a match.
_INT = (
    r"(?:(?:so|really|very|super|violently|pretty|quite|extremely|a bit|a little|kinda|"
    r"tellement|vraiment|tres|full|pas mal|ben|bien|trop|un peu|carrement|gravement) )?"
)
# Up to six words, none of them a negation ("found no hair" is not a report).
_GAP = (
    r"(?: (?!(?:no|not|never|none|any|pas|aucun|aucune|jamais|sans|without|rien)(?![\w']))"
    r"[\w'-]+){0,6}?"
)
_BODY_EN = (
    r"(?:hands?|fingers?|thumb|palm|wrist|arms?|legs?|lap|thighs?|knees?|feet|foot|face|"
    r"lips?|mouth|tongue|gums?|throat|skin|chest|stomach|belly|neck|back|head|eyes?)"
)
_BODY_FR = (
    r"(?:mains?|doigts?|pouce|paume|poignet|bras|jambes?|cuisses?|genoux?|pieds?|visage|"
    r"levres?|bouche|langue|gencives?|gorge|peau|poitrine|ventre|cou|dos|tete|yeux|(?:oe|œ)il)"
)
_MINE_EN = r"(?:my|his|her|their|our|the baby's|my \w+'s)"
_MINE_FR = r"(?:ma|mon|mes|sa|son|ses|la|le|les|notre|nos|leur|leurs)"
_PERSON_EN = (
    r"(?:i|he|she|we|they|my \w+|our \w+|someone|somebody|a customer|a woman|a man|"
    r"an? (?:old|elderly|older|pregnant) \w+)"
)
_PERSON_FR = r"(?:je me suis|me suis|il s'est|elle s'est|on s'est|t'es|tu t'es|s'est)"
_WHO_FR = (
    r"(?:il|elle|ils|elles|on|qui|fils|fille|filles|enfants?|bebes?|chum|blonde|mari|femme|"
    r"conjointe?|mere|pere|amie?s?|clients?|clientes?|gens|monde|famille|collegues?|tous|toutes|"
    r"soeur|frere|gars|personnes?|employes?|invites?)"
)
# What ends up in food or drink by mistake.
_THING_EN = (
    r"(?:(?:hard|sharp|clear|small|tiny|little|big|large|long|broken|black|white|blue|"
    r"dead|live|thin|metal|plastic|curly) )?"
    r"(?:plastic(?! (?:bags?|cups?|lids?|straws?|spoons?|forks?|cutlery|bottles?|containers?|"
    r"packaging|free|wrappers?)(?![\w]))|glass(?! (?:of|bottles?|jars?|cups?|mugs?|doors?|"
    r"windows?|straws?|containers?)(?![\w]))|metal(?! (?:straws?|lids?|tins?|cans?)(?![\w]))|"
    r"shards?|splinters?|wires?|staples?|screws?|bolts?|nails?|stones?|pebbles?|rocks?|hairs?|"
    r"insects?|flies|fly|cockroach(?:es)?|roach(?:es)?|worms?|maggots?|larvae?|moths?|ants?|"
    r"spiders?|beetles?|weevils?|band-?aids?|fingernails?|mould|mold|"
    r"bugs?(?! (?:in|on|with) (?:the|your|ur) (?:app|site|website|checkout|system|code|page)))"
)
_THING_FR = (
    r"(?:(?:petit|petite|petits|petites|gros|grosse|long|longue|mince|dur) )?"
    r"(?:(?:morceaux?|bouts?|eclats?|fragments?) de (?:\w+ )?(?:plastique|verre|vitre|metal|fer|"
    r"bois|caoutchouc|roche|papier|aluminium)|(?<!de )(?<!en )plastique|du verre|de verre|"
    r"de la vitre|du metal|fil de fer|broches?|agrafes?|clous?|boulons?|echardes?|cailloux|"
    r"caillou|roches?|gravier|cheveux|cheveu|poils?|insectes?|mouches?|coquerelles?|cafards?|"
    r"vers de terre|des vers|un ver|petits vers|larves?|asticots?|fourmis?|araignees?|"
    r"bibittes?|bebittes?|pansements?|diachylon|ongles?|moisissures?|du moisi)"
)
_FOOD = (
    r"(?:\w+ ){0,2}(?:coffee|latte|drink|cup|beans?|bag|food|sandwich|muffin|croissant|"
    r"pastry|cookie|salad|soup|bowl|mug|tea|cold brew|espresso|cappuccino|americano|order|"
    r"box|meal|plate|bread|cake|scone|brownie|smoothie|juice|water|grounds|ground coffee|"
    r"grinder|chocolate|mouth|cafe|breuvage|boisson|tasse|grains?|sac|chocolatine|"
    r"biscuit|salade|soupe|bol|the|commande|boite|repas|assiette|pain|gateau|jus|eau|"
    r"mouture|moulin|bouche|carre|galette|beigne|sugar|milk|cream|creamer|syrup|honey|jar|"
    r"pitcher|dispenser|container|package|packet|sucre|lait|creme|sirop|miel|pot|contenant|"
    r"emballage|sachet|pichet)"
)

# Each category: (patterns read as a report wherever they are; patterns that a question can
# also just ask about: in a question with no sign that anything happened, they make a health
# question, not a report).
_REPORT: dict[Category, tuple[list[str], list[str]]] = {
    "foreign_body": (
        [
            # a piece of hard plastic, des éclats de verre
            r"(?:pieces?|bits?|chunks?|shards?|slivers?|fragments?|splinters?|flakes?|strips?)"
            r" of (?:[a-z-]+ ){0,2}(?:plastic|glass|metal|wire|wood|rubber|foil|stone|rock)",
            r"(?:morceaux?|bouts?|eclats?|fragments?|copeaux?|debris|tessons?|filaments?)"
            r" de (?:\w+ )?(?:plastique|verre|vitre|metal|fer|bois|caoutchouc|aluminium|"
            r"papier d'alu|roche|caillou)",
            r"(?:broken|shattered) glass|glass shards?|metal shavings?|limaille",
            # found ... a hair / trouvé ... un cheveu
            r"(?:found|find|finding|discovered|spotted|noticed|pulled|picked|fished|spat|spit|"
            r"bit into|bite into|biting into|chewed on|crunched on|crunched into|"
            r"there (?:was|were)|came with)"
            + _GAP
            + r" (?:an? |some |two |three |a few )?"
            + _THING_EN,
            r"(?:trouve|trouver|trouvee|trouves|retrouve|decouvert|vu|remarque|croque dans|"
            r"mordu dans|il y avait|y avait|y'avait|yavait|y'a|ya|sorti|retire|recrache)"
            + _GAP
            + r" (?:un |une |des |du |de la |deux |trois |plein de )?"
            + _THING_FR,
            # a hair in my latte, une coquerelle dans mon café
            _THING_EN
            + r" (?:in|inside|stuck in|baked into) (?:my|the|our|his|her|a|this) "
            + _FOOD,
            _THING_FR + r" (?:dans|colle dans|colle sur) (?:mon|ma|mes|le|la|les|notre|son|sa|"
            r"un|une|ce|cette) " + _FOOD,
        ],
        [],
    ),
    "injury": (
        [
            r"cut (?:myself|himself|herself|themselves)",
            r"(?:cut|sliced|gashed|split) " + _MINE_EN + r" (?:\w+ )?" + _BODY_EN,
            r"(?:got|get|gets|getting|was|were|been) cut(?! off)",
            r"(?:broke|broken|chipped|cracked|split) (?:a|my|his|her|one of my|two) "
            r"(?:\w+ )?(?:tooth|teeth|molar|crown|filling)",
            r"(?:broke|fractured|sprained|twisted|dislocated) "
            + _MINE_EN
            + r" (?:wrist|arm|leg|ankle|nose|finger|hip|foot|shoulder|knee)",
            r"bleeding|bled|blood everywhere|concussion|sprained|fractured",
            r"(?:needed|got|get|getting|required|had) (?:\w+ )?stitches",
            _PERSON_EN + r" (?:\w+ )?(?:slipped|tripped|fell(?! (?:in love|asleep|for|behind|"
            r"through|apart|short|off the)(?![\w])))",
            r"slipped (?:on|and)|tripped (?:on|over)",
            r"(?:came off|fell off|fell from)(?: [\w'-]+){0,4} (?:and )?(?:hit|landed on|fell on)",
            r"(?:hit|struck) (?:me|her|him|my \w+|a customer|a child|the \w+ next to me) "
            r"(?:on|in) the (?:head|face|eye)",
            r"(?:got|was|were|been|is|are|am) (?:badly |seriously )?(?:hurt|injured|wounded)"
            r"(?! by| that| to see)",
            r"injur(?:y|ies|ed)",
            r"hurt (?:myself|himself|herself|themselves|"
            + _MINE_EN
            + r" (?:\w+ )?"
            + _BODY_EN
            + r")",
            r"chok(?:ed|ing) on",
            r"(?:je me suis|me suis|il s'est|elle s'est|on s'est|t'es|tu t'es) "
            + _INT
            + r"(?:coupe|blesse|fracture|foule|tordu)e?s?",
            r"coupe(?:e|s)? (?:a |au |le |la |" + _MINE_FR + r" )?" + _BODY_FR,
            r"(?:casse|pete|brise|fissure|ebreche|fendu)e?s? (?:une|ma|sa|deux|des|une de mes) "
            r"(?:\w+ )?dents?",
            r"(?:s'est|me suis|s'etait|t'es) (?:\w+ )?(?:casse|fracture|foule|tordu) (?:le|la|"
            r"les|un|une) (?:poignet|bras|jambe|cheville|nez|doigt|hanche|pied|epaule|genou)",
            r"saign\w+|du sang|points de suture|commotion",
            r"blesse(?:e|s|es)?|blessures?",
            r"(?:glisse|glissee|glisses) (?:sur|par terre|a terre|dans les marches|"
            r"dans l'escalier)",
            r"(?:tombe|tombee|tombes|trebuche|trebuchee|deboule|deboulee)"
            r" (?:par terre|a terre|dans les marches|dans l'escalier|en (?:sortant|entrant)|"
            r"sur le (?:plancher|sol|trottoir|perron)|sur la glace|devant la porte|"
            r"sur (?:moi|lui|elle|la tete|ma tete|sa tete))",
            r"s'est etouffe\w*|s'etouffe\w*|etouffe(?:e|s)? (?:avec|sur|en mangeant|en buvant)",
        ],
        [],
    ),
    "illness": (
        [
            r"food poisoning|intoxication(?: alimentaire)?|intoxique\w*|empoisonne\w*",
            r"(?:made|making|got|left) (?:me|us|him|her|them|my \w+|everyone|people) "
            + _INT
            + r"(?:sick|ill|nauseous|vomit|throw up|puke)",
            r"(?:rendu|rendue|rendus|rendues|rendre) " + _INT + r"malades?",
            r"(?:went|go|gone|rushed|taken|took|brought|ended up|end up) (?:him |her |them |me |"
            r"us |my \w+ )?(?:to |in |at )(?:the )?(?:hospital|er|emergency|urgent care)",
            r"(?:we're|i'm|im|we are|i am|he's|she's|he is|she is) (?:now |still )?(?:at|in) "
            r"(?:the )?(?:hospital|er|emergency room)",
            r"(?:call|called|calling) (?:911|an ambulance|poison control)|poison control|"
            r"centre antipoison|fainted|passed out|lost consciousness|s'est evanoui\w*|"
            r"perdu connaissance|evanoui\w*",
            r"(?:amene|amenee|amenes|emmene|emmenee|alle|allee|alles|allees|aller|fini|finie|"
            r"rendu|rendue|ete|etions|sommes|on est|suis|est|sont|etait|etaient|transporte|"
            r"transportee) (?:\w+ )?(?:a l'urgence|aux urgences|a l'hopital|a l'hosto|"
            r"en ambulance)",
            r"(?:appele|appeler|appelle) (?:le )?(?:911|info-sante|811|une ambulance)",
        ],
        [
            r"(?:got|get|getting|gotten|became|become|been|was|were|felt|feel|feeling|feels|am|"
            r"i'm|im|fell|falling) " + _INT + r"(?:sick(?! of| and tired| day)|ill(?!-)|"
            r"nauseous|nauseated|queasy|dizzy|faint|unwell)",
            r"(?:is|are) " + _INT + r"(?:ill(?!-)|nauseous|nauseated|queasy|dizzy|unwell)",
            r"sick (?:all|the whole|after|since|for \w+ days?|to my stomach)",
            r"(?:threw|throw|throwing|thrown) up|puk(?:e|ed|ing)|vomit\w*|nausea\w*|"
            r"diarrh?o?ea|stomach (?:cramps|ache|aches|pain|pains|bug)|cramps|palpitations|"
            r"heart (?:racing|pounding)|racing heart|heart (?:was|kept) (?:racing|pounding)|"
            r"c(?:oe|œ)ur qui (?:bat|debat|s'emballe|palpite)",
            r"(?:had|got|have|having|with) (?:a |an )?(?:\w+ )?(?:headache|migraine)s? "
            r"(?:\w+ ){0,3}(?:after|since|all|the whole|for hours)|(?:headache|migraine) "
            r"(?:the whole|all)",
            r"(?<!en )(?:ete|suis|sommes|etais|etions|tombe|tombee|tombes|tombees|devenu|"
            r"devenue|me sens|se sent|se sentait|me sentais|sentais|chu|j'tais) "
            + _INT
            + r"malades?(?! de (?:vos|votre|ton|ta|tes|ce|cette|ces)(?![\w]))",
            # "est malade" of a person; "c'est malade", "les cours sont malades" are praise
            _WHO_FR + r" (?:est|sont|etait|etaient) " + _INT + r"malades?",
            r"malades? (?:toute la|tout l'|tout le|toute|apres|depuis|comme des chiens|"
            r"comme un chien)",
            r"vomi\w*|degueul(?:e|er|ait|aient)|nause\w*|nozee?s?|"
            r"(?<!fait )(?<!fais )mal (?:au|de) (?:c(?:oe|œ)ur|ventre)|maux de ventre|crampes?|"
            r"diarrhee\w*|chiasse|gastro|indigestion|palpitations|etourdissements?|"
            r"(?:mal de tete|maux de tete|migraine)s? (?:\w+ ){0,3}(?:toute|tout|apres|depuis)",
            r"hospitalise\w*|hospitali[sz]ed",
        ],
    ),
    "allergy": (
        [
            r"allergic reaction|reactions? allergiques?|anaphyla\w+|choc anaphylactique",
            r"epi-?pens?|auto-?injecteur|epinephrine",
            r"(?:had|having|got|suffered|caused|triggered|gave (?:me|him|her|us|them)) "
            r"(?:an? )?(?:(?:bad|severe|serious|allergic|skin|awful|terrible|scary|strong|mild|"
            r"nasty|major|violent) )?reaction(?! from| when)",
            r"(?:fait|faite|eu|fais|faisait) (?:une|des) (?:(?:grosse|forte|mauvaise|violente|"
            r"severe|cutanee|petite) )?reactions?",
            r"(?:even though|despite|although|after) (?:i|we|he|she|my \w+) (?:had )?(?:told|"
            r"said|mentioned|asked|warned|specified)(?: [\w'-]+){0,8} allerg\w+",
            r"(?:malgre que|meme si|pourtant|apres que) (?:j'ai|on a|j'avais|on avait|ma \w+ a|"
            r"mon \w+ a) (?:dit|mentionne|precise|demande|averti)(?: [\w'-]+){0,8} allergi\w+",
            r"(?:said|told|warned)(?: [\w'-]+){0,6} (?:allergic|allergy|allergies)"
            r"(?: [\w'-]+){0,8} (?:anyway|still)",
            r"(?:dit|mentionne|precise|averti|prevenu)(?: [\w'-]+){0,8} allergi\w+"
            r"(?: [\w'-]+){0,10} (?:quand meme|pareil|anyway|drette la)",
        ],
        [
            r"undeclared|non declare\w*|cross-contamina\w+|contamination croisee",
            r"(?:nuts?|peanuts?|gluten|dairy|milk|lactose|soy|sesame|eggs?|allergens?|"
            r"almonds?|wheat) (?:[\w']+ ){0,6}(?:not|wasn't|weren't|isn't|never) (?:listed|"
            r"declared|mentioned|labell?ed|on the (?:label|menu|ingredients?))",
            r"(?:noix|arachides?|gluten|lait|lactose|soja|sesame|(?:oe|œ)ufs?|allergenes?|amandes?|"
            r"ble) (?:[\w']+ ){0,6}(?:pas|non|jamais) (?:indique|mentionne|ecrit|inscrit|"
            r"declare|affiche)e?s?",
            r"hives|urticaire|plaques rouges|rash",
            r"(?:lips?|throat|face|tongue|eyes?) (?:\w+ ){0,2}(?:swell\w*|swollen|closing|tight)",
            r"swell(?:ed|ing) up|swollen (?:lips?|face|throat|tongue|eyes?)",
            r"(?:couldn't|could not|can't|cannot|trouble|hard to|struggling to) breath\w*",
            r"(?:enfl|gonfl)\w+ (?:\w+ )?(?:levres?|gorge|visage|langue|yeux)|"
            r"(?:levres?|gorge|visage|langue|yeux) (?:\w+ )?(?:enfl|gonfl)\w+",
            r"(?:pouvait|pouvais|pouvions|pouvaient|peut|peux) (?:pu |plus |pas |pus )"
            r"respirer|misere a respirer|difficulte a respirer",
        ],
    ),
    "burn": (
        [
            r"(?:burn(?:ed|t)?|scald(?:ed)?) (?:myself|himself|herself|themselves|me|him|her|us)"
            r"(?! out)",
            r"(?:burn(?:ed|t|s)?|scald(?:ed|s)?|blisters?) (?:on )?"
            + _MINE_EN
            + r" (?:\w+ )?"
            + _BODY_EN,
            r"scalded|scalding (?:\w+ ){0,3}(?:spilled|spilt|poured|splashed|all over|on me)|"
            r"(?:first|second|third)[- ]degree|blister(?:s|ed)",
            r"(?:spilled|spilt|splashed|leaked|poured|popped off)(?: [\w'-]+){0,5} (?:on|"
            r"all over|onto|over) (?:me|him|her|them|" + _MINE_EN + r" (?:\w+ )?" + _BODY_EN + r")",
            _PERSON_FR + r" " + _INT + r"(?:brule|ebouillante)e?s?",
            r"(?:brule|ebouillante)e?s? (?:a |au |aux |" + _MINE_FR + r" )?" + _BODY_FR,
            r"brulures?(?! d'estomac)|cloques?|ebouillant\w*",
            r"(?:have|has|got|had|left (?:me|him|her) with|with) (?:a |an )?(?:\w+ )?burns?"
            r"(?! out)(?![\w-])|burn marks?",
            r"steam (?:wand )?(?:sprayed|burned|burnt|hit|blasted)",
            r"(?:hot|boiling|scalding) (?:\w+ ){0,3}(?:spilled|spilt|poured|splashed|went) "
            r"(?:on|all over|onto|over) (?:me|him|her|them|us|my|his|her|a|the)",
            r"(?:spilled|spilt|poured|splashed|dropped|knocked) (?:\w+ ){0,5}(?:hot|boiling|"
            r"scalding)(?: \w+){0,3} (?:on|all over|onto|over) (?:me|him|her|them|us|my|his|"
            r"her|a|the)",
            r"(?:bouillant|brulant)e?s? (?:\w+ ){0,5}(?:sur|partout sur) (?:moi|lui|elle|"
            + _MINE_FR
            + r" "
            + _BODY_FR
            + r")",
            r"(?:renverse|coule|revole|tombe)e?s? (?:\w+ ){0,4}(?:sur|partout sur) "
            + _MINE_FR
            + r" "
            + _BODY_FR,
        ],
        [],
    ),
    "legal": (
        [
            r"(?:my|our) (?:lawyers?|attorneys?|solicitors?|legal (?:team|counsel|department))"
            r"(?! (?:friends?|buddy|colleagues?|neighbou?rs?|sister|brother|cousin|wife|husband|"
            r"partner|mom|dad|mother|father|son|daughter)(?![\w]))",
            r"(?:contact|contacting|call|calling|consult|consulting|speak(?:ing)? (?:to|with)|"
            r"talk(?:ing)? to|get|getting|hire|hiring|retain|retaining|involve|involving|see|"
            r"seeing) (?:a |an |my |our )?(?:lawyers?|attorneys?|legal (?:advice|counsel))",
            r"(?:lawyers?|attorneys?) (?:will|'ll|is going to|are going to|has been|have been|"
            r"is|are) (?:\w+ )?(?:contact\w*|call\w*|be in touch|in touch|hear\w*|reach\w*|"
            r"send\w*|aware|involved|looking)",
            r"lawyer(?:ed|ing)? up|lawsuits?|law suits?",
            r"(?:sue|suing) (?:you|u|your|the|this|them|boreale|@\w+)|(?:going to|gonna|will|"
            r"i'll|ill|could|should|might|planning to|plan to|intend to|want to|about to) sue|"
            r"suing|sued",
            r"legal (?:action|proceedings|steps|recourse|notice)|take (?:you|this|it|them) to "
            r"court|see you in court|in court|court (?:case|action|claim)|small claims|"
            r"class[- ]action|cease and desist|formal notice|demand letter|liable|"
            r"negligen(?:ce|t)",
            r"(?:file|filing|filed|lodge|lodging|make|making) (?:a |an )?(?:official |formal )?"
            r"(?:complaint|claim|report) (?:with|to|against) (?:the )?(?:bbb|better business|"
            r"health|consumer|police|cfia|fda|authorities|city|ministry|mapaq|opc|inspector)",
            r"(?:report|reporting) (?:you|this|it|your \w+|them) to (?:the )?(?:health|bbb|"
            r"better business|consumer|police|cfia|fda|authorities|mapaq|opc|city)",
            r"(?:call|calling|contact|contacting|alert|alerting|notify|notifying) (?:the )?"
            r"(?:health (?:inspector|inspection|department|authorities)|consumer protection|"
            r"bbb|better business bureau|cfia|fda)",
            r"consumer protection (?:act|law|office|agency)|human rights (?:commission|tribunal)",
            r"(?:a|de|par|avec|chez) (?:mon|ma|notre|nos|mes) avocat(?:e|s|es)?|"
            r"(?:mon|ma|notre|nos|mes) avocat(?:e|s|es)? (?:va|vont|vous|communiquera|"
            r"contactera|sera|est au courant|s'en occupe|a le dossier|prendra)|"
            r"(?:mes|nos) avocats|(?:mon|ma|notre) avocate?(?= *[.!])",
            r"(?:contacter|contacte|consulter|consulte|appeler|appelle|parler a|parle a|engager|"
            r"engage|prendre|voir|passer par) (?:un|une|mon|ma|des|mes|notre) avocat(?:e|s|es)?",
            r"avocat(?:e|s|es)? (?:va|vont|vous|communiquera|contactera|sera|est au courant)",
            r"poursuites? (?:en justice|judiciaires?|contre|au civil|aux petites creances)|"
            r"intenter (?:une )?poursuite|(?:vais|va|allons|vont|veux|pourrais|devrais) vous "
            r"poursuivre|poursuivre (?:la compagnie|l'entreprise|boreale|en justice)|"
            r"je vous poursuis",
            r"recours collectifs?|actions? collectives?|petites creances|mises? en demeure|"
            r"mettre en demeure|(?:devant les|aux) tribunaux|tribunal|"
            r"(?:amener|trainer|poursuivre|rencontrer|voir) (?:\w+ ){0,2}en cour(?!s)",
            r"(?:porter|porte|porterai|porterons|portons) plainte|"
            r"(?:deposer|depose|deposerai|deposee) (?:une )?plainte|"
            r"plaintes? (?:(?:formelles?|officielles?) )?(?:a|aupres de|au|chez) (?:la |l'|le )?"
            r"(?:police|opc|office|mapaq|acia|commission|ministere|ville|inspecteur|"
            r"protection du consommateur|cdpdj|sante publique)",
            r"(?:appeler|appele|contacter|contacte|signaler|signale|avertir|aviser|ecrire a) "
            r"(?:\w+ ){0,3}(?:le mapaq|au mapaq|la sante publique|a la sante publique|l'acia|"
            r"a l'acia|l'opc|a l'opc|l'office de la protection du consommateur|les autorites|"
            r"aux autorites|un inspecteur)",
            r"(?:office|loi sur la) protection du consommateur|responsabilite civile|"
            r"dommages(?:-| et )interets|negligence",
        ],
        [],
    ),
}
_COMPILED: list[tuple[Category, re.Pattern[str], bool]] = []
for _cat, (_always, _asked) in _REPORT.items():
    if _always:
        _COMPILED.append((_cat, _rx(_always), False))
    if _asked:
        _COMPILED.append((_cat, _rx(_asked), True))

# A child named in a report, or hurt in a way no other category names.
_CHILD = _rx([
    r"(?:my|our|his|her|their|a|the) (?:\w+ )?(?:son|daughter|kids?|child|children|baby|"
    r"babies|toddler|infant|newborn|little one|little boy|little girl|grandson|granddaughter|"
    r"grandkids?|niece|nephew)",
    r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten)[- ](?:year|month|yr|mo)s?[- ]old",
    r"(?:mon|ma|mes|notre|nos|son|sa|ses|leur|leurs) (?:\w+ )?(?:fils|filles?|enfants?|bebes?|"
    r"bambins?|tout-petits?|garcons?|poupons?|nourrissons?|petit-fils|petite-fille|"
    r"petits-enfants|neveux?|nieces?|ti-gars|tit gars|p'tit gars|petit gars|ptit gars|"
    r"p'tite|ptite|petite puce|puce)|(?:mon|notre) gars",
    r"(?:un|une|le|la|les|des) (?:\w+ )?(?:enfants?|bebes?|bambins?|tout-petits?|poupons?|"
    r"nourrissons?)",
])  # fmt: skip
_CHILD_HARM = _rx([
    r"swallow(?:ed|ing)|choked|choking|gagg(?:ed|ing)|crying in pain|screaming in pain|"
    r"put (?:it|one|some) in (?:his|her) mouth",
    r"avale\w*|s'est etouffe\w*|etouffe|pleure\w* de douleur|mis dans sa bouche",
])  # fmt: skip
# Asked about, not reported: a health question, flagged and never escalated.
_HEALTH: dict[str, re.Pattern[str]] = {
    "allergy": _rx([
        r"allerg\w*|alerg\w*|allergen\w*|gluten|celiac|coeliac|celiaque|coeliaque|nuts?|"
        r"peanuts?|noix|arachides?|amandes?|lactose|dairy|produits laitiers|sesame|shellfish|"
        r"fruits de mer|traces? de",
    ]),
    "pregnancy": _rx([r"pregnan\w*|enceinte|grossesse|breastfeeding|allait\w*"]),
    "illness": _rx([
        r"headaches?|migraines?|nausea|nausee?s?|stomach|estomac|heartburn|reflux|caffeine|"
        r"cafeine|palpitations|insomni\w*",
    ]),
    "safety": _rx([
        r"(?<!dishwasher )(?<!microwave )(?<!oven )(?<!freezer )safe(?! travels| trip)|unsafe|"
        r"dangerous|dangereu(?:x|se|ses)|sans danger|securitaire|toxic|toxique|bpa|"
        r"chemicals?|chimiques?|rappel de produit",
    ]),
}  # fmt: skip
# Children in a question make it a health question only next to one of the words above.
_HEALTH_CHILD = _rx([_CHILD.pattern, r"kids?|children|child|babies|baby|toddlers?|enfants?|bebes?"])
_NEGATORS = {
    "no", "not", "never", "nobody", "noone", "none", "without", "neither", "nor", "nothing",
    "pas", "jamais", "aucun", "aucune", "sans", "ni", "rien", "personne",
}  # fmt: skip
# "not sure if", "pas mal malade" (quite sick), "not only": no negation of what follows.
_NOT_NEGATING = {
    "sure", "certain", "only", "seulement", "joke", "kidding", "idea", "believe", "know",
    "sais", "sait", "understand", "comprends", "mal", "farce", "niaise", "just", "juste",
    "care", "exaggerating", "exagere", "lying", "mens",
}  # fmt: skip
_HYPOTHETICAL = re.compile(
    r"(?<![\w'])(?:if|si|in case|en cas|au cas|what if|imagine|imaginez|unless|a moins)(?![\w])"
)
# Signs that something happened, for the words a question may only ask about.
_HAPPENED = _rx([
    r"got|gotten|had|was|were|been|felt|became|ended|went|drank|ate|started|began|"
    r"after|since|yesterday|tonight|last (?:night|week)|this (?:morning|afternoon)|"
    r"all (?:night|day|morning|afternoon)|the whole|anyone else|someone else|too|also|still|"
    r"i've|we've|ive",
    r"j'ai|j'avais|ai eu|a eu|ont eu|avons|avait|avaient|ete|eu|bu|mange|pris|apres|depuis|"
    r"hier|ce matin|cette nuit|toute la nuit|hier soir|quelqu'un d'autre|d'autres|aussi|"
    r"encore|on a",
])  # fmt: skip
_QUESTION_START = re.compile(
    r"^\W*(?:can|could|is|are|do|does|did|will|would|should|how|what|which|where|when|why|any|"
    r"est-ce|pouvez|peut-on|peut-il|peut-elle|y a-t-il|avez-vous|quel|quelle|quels|quelles|"
    r"comment|combien|c'est-tu|est-tu)(?![\w])"
)
_SENTENCE = re.compile(r"[^.!?\n]+[.!?\n]*")


@dataclass(frozen=True)
class SafetyHit:
    """A category and the words of the message that put it there, as the user wrote them."""

    category: str
    words: tuple[str, ...]

    def describe(self, names: dict[str, str]) -> str:
        quoted = ", ".join(f"“{w}”" for w in self.words)
        return f"{names.get(self.category, self.category)} ({quoted})"


@dataclass(frozen=True)
class SafetyReading:
    """What a message reports (escalate), or only asks about (a health question)."""

    reports: tuple[SafetyHit, ...] = ()
    health: tuple[SafetyHit, ...] = ()
    set_aside: tuple[str, ...] = ()  # negated or hypothetical words ("no one got sick")

    @property
    def report(self) -> bool:
        return bool(self.reports)

    @property
    def categories(self) -> list[str]:
        return [h.category for h in self.reports]

    @property
    def health_words(self) -> list[str]:
        return [w for h in self.health for w in h.words]

    def summary(self) -> str:
        """One sentence for the triage's reasons."""
        if self.reports:
            return "report: " + "; ".join(h.describe(CATEGORY_NAMES) for h in self.reports)
        if self.health:
            return "health question, no incident reported: " + "; ".join(
                h.describe(HEALTH_NAMES) for h in self.health
            )
        return ""


def read_safety(text: str) -> SafetyReading:
    """What one message reports (each category with its words), or only asks about."""
    f = fold(text)
    folded = f.text
    sentences = [(m.start(), m.end()) for m in _SENTENCE.finditer(folded)]
    found: dict[str, list[str]] = {}
    asked: dict[str, list[str]] = {}
    set_aside: list[str] = []

    def words_of(m: re.Match[str]) -> str:
        a, b = f.span(m.start(), m.end())
        words = " ".join(text[a:b].split())
        return words if len(words) <= 60 else words[:57].rstrip() + "..."

    def live(m: re.Match[str]) -> bool:
        return not _negated(folded, _sentence_of(sentences, m.start())[0], m.start())

    for category, rx, question_sensitive in _COMPILED:
        for m in rx.finditer(folded):
            if not live(m):
                set_aside.append(words_of(m))
                continue
            a, b = _sentence_of(sentences, m.start())
            sentence = folded[a:b]
            if question_sensitive and _is_question(sentence) and not _HAPPENED.search(sentence):
                _add(asked, category, words_of(m))
                continue
            _add(found, category, words_of(m))
    children = [words_of(m) for m in _CHILD.finditer(folded) if live(m)]
    harm = [words_of(m) for m in _CHILD_HARM.finditer(folded) if live(m)]
    if children and (found or harm):
        for w in ([] if found else harm[:1]) + children[:2]:
            _add(found, "child", w)
    reports = tuple(SafetyHit(c, tuple(w[:3])) for c, w in found.items())
    if reports:
        return SafetyReading(reports, (), tuple(dict.fromkeys(set_aside)))
    health = dict(asked)
    if any(_is_question(folded[a:b]) for a, b in sentences):
        for asks, rx in _HEALTH.items():
            for m in rx.finditer(folded):
                # "no nuts?" still asks about allergens
                if asks == "allergy" or live(m):
                    _add(health, asks, words_of(m))
        if health:
            for m in _HEALTH_CHILD.finditer(folded):
                _add(health, "child", words_of(m))
    return SafetyReading(
        (),
        tuple(SafetyHit(c, tuple(w[:3])) for c, w in health.items()),
        tuple(dict.fromkeys(set_aside)),
    )


def _add(into: dict[str, list[str]], category: str, words: str) -> None:
    """Add the words to the category's, keeping the longest of overlapping quotes."""
    got = into.setdefault(category, [])
    if not any(words.casefold() in w.casefold() for w in got):
        got[:] = [w for w in got if w.casefold() not in words.casefold()] + [words]


def _sentence_of(sentences: Sequence[tuple[int, int]], at: int) -> tuple[int, int]:
    for a, b in sentences:
        if a <= at < b:
            return a, b
    return 0, at + 1


def _is_question(sentence: str) -> bool:
    return sentence.rstrip().endswith("?") or _QUESTION_START.search(sentence) is not None


def _negated(folded: str, sentence_start: int, at: int) -> bool:
    """A negation or a hypothesis in the four words before `at`, in the same clause:
    "no one got sick", "n'a pas été malade", "if someone finds glass"."""
    clause = re.split(r"[,;:()]| but | mais | and | et | pis ", folded[sentence_start:at])[-1]
    tokens = [t.strip("\"'“”«»") for t in clause.split()[-4:]]
    if _HYPOTHETICAL.search(" ".join(tokens)):
        return True
    for i, tok in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if nxt in _NOT_NEGATING:
            continue
        if tok in ("personne", "rien") and not nxt.startswith("n'"):
            continue  # "personne" is also "person": only "personne n'a ..." negates
        if tok in _NEGATORS or tok.endswith("n't"):
            return True
    return False
