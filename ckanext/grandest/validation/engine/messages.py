"""Plain-French explanations of every problem the engine can report.

Written for a town-hall secretary with no data training: each error type has a short **title**, what it
**means**, and how to **fix** it; :func:`render_error` adds the row, the column and the value to make one
concrete sentence. Tables hold ``N_()``-marked source strings; ``_()`` is applied when rendering so a
translator installed later (``i18n.set_translator``) is honoured.
"""
from __future__ import annotations

import re
from typing import Any

from .i18n import N_, _

VALUE_MAX_CHARS = 80

# Severity: "error" counts against conformity; "warning" is advice; "info" is a neutral finding.

# --------------------------------------------------------------------------------------------------------
# Fetch errors
# --------------------------------------------------------------------------------------------------------

FETCH_ERRORS: dict[str, str] = {
    "invalid-url": N_("L'adresse du fichier n'est pas une adresse web valide."),
    "scheme-not-allowed": N_(
        "Seules les adresses commençant par http:// ou https:// peuvent être vérifiées "
        "(adresse reçue : « {scheme} »)."
    ),
    "credentials-in-url": N_(
        "L'adresse contient un identifiant ou un mot de passe : publiez un lien public, sans mot de passe."
    ),
    "dns-error": N_("Le serveur « {host} » est introuvable : vérifiez l'orthographe de l'adresse."),
    "dns-timeout": N_("Le serveur « {host} » ne répond pas (délai dépassé pour trouver son adresse)."),
    "forbidden-address": N_(
        "L'adresse « {host} » pointe vers un réseau privé ou interne : seuls les serveurs publics "
        "d'Internet peuvent être interrogés."
    ),
    "connect-timeout": N_("Le serveur ne répond pas (délai de connexion dépassé)."),
    "connection-error": N_("La connexion au serveur a échoué ou a été interrompue avant la fin du fichier."),
    "tls-error": N_("Le certificat de sécurité (HTTPS) du serveur n'est pas valide."),
    "read-timeout": N_("Le serveur a cessé d'envoyer le fichier (délai de lecture dépassé)."),
    "total-timeout": N_(
        "Le téléchargement a pris trop de temps et a été interrompu : le serveur est trop lent."
    ),
    "too-many-redirects": N_(
        "L'adresse redirige vers d'autres adresses plus de {limit} fois : le lien semble tourner en rond."
    ),
    "too-large": N_("Le fichier dépasse la taille maximale acceptée ({limit_h})."),
    "http-error": N_("Le serveur a répondu par une erreur (code HTTP {status}) : le lien est peut-être cassé."),
    "not-found": N_("Le fichier déposé est introuvable."),
}


def human_size(n: int | None) -> str:
    if n is None:
        return "?"
    size = float(n)
    for unit in ("octets", "Ko", "Mo", "Go"):
        if size < 1024 or unit == "Go":
            if unit == "octets":
                return f"{int(size)} {unit}"
            return f"{size:.1f} {unit}".replace(".", ",")
        size /= 1024
    return f"{n} octets"  # pragma: no cover


def fetch_error_message(code: str, **params: Any) -> str:
    template = FETCH_ERRORS.get(code, N_("Le fichier n'a pas pu être téléchargé ({code})."))
    params = {k: v for k, v in params.items()}
    params.setdefault("code", code)
    params["limit_h"] = human_size(params.get("limit"))
    return _format(_(template), params)


# --------------------------------------------------------------------------------------------------------
# Error catalogue: title, meaning, fix
# --------------------------------------------------------------------------------------------------------

ERRORS: dict[str, dict[str, str]] = {
    # ---- pre-scan: the file cannot be validated at all --------------------------------------------------
    "empty-file": {
        "title": N_("Fichier vide"),
        "meaning": N_("Le fichier ne contient aucune donnée."),
        "fix": N_("Ouvrez le fichier d'origine, vérifiez qu'il contient bien vos données, puis déposez-le à nouveau."),
    },
    "html-file": {
        "title": N_("Page web au lieu d'un fichier de données"),
        "meaning": N_(
            "Le fichier est une page web (HTML), souvent une page d'erreur ou de connexion enregistrée à la "
            "place des données."
        ),
        "fix": N_(
            "Téléchargez le vrai fichier de données (bouton « Télécharger » ou « Exporter ») au lieu "
            "d'enregistrer la page web, ou corrigez le lien pour qu'il mène directement au fichier."
        ),
    },
    "binary-file": {
        "title": N_("Fichier illisible"),
        "meaning": N_(
            "Le contenu du fichier n'est pas du texte lisible : il est endommagé ou ce n'est pas un fichier "
            "de données (image, programme, document compressé…)."
        ),
        "fix": N_(
            "Réenregistrez vos données depuis votre tableur au format CSV (« Enregistrer sous » > "
            "« CSV UTF-8 »), puis déposez ce nouveau fichier."
        ),
    },
    "pdf-file": {
        "title": N_("Document PDF"),
        "meaning": N_("Le fichier est un document PDF : ses données ne peuvent pas être lues par une machine."),
        "fix": N_("Publiez en plus les données d'origine au format CSV ou tableur (ODS, XLSX)."),
    },
    "line-too-long": {
        "title": N_("Ligne démesurément longue"),
        "meaning": N_(
            "La ligne {row} fait plus de {limit_h} : ce n'est pas un tableau normal (fichier endommagé "
            "ou mal exporté). Le fichier n'a pas été analysé pour protéger le service."
        ),
        "fix": N_(
            "Ouvrez le fichier dans votre tableur, vérifiez la ligne {row}, puis réexportez-le en CSV. "
            "Si une cellule contient un très long texte, publiez ce texte dans un document à part."
        ),
    },
    "too-many-columns": {
        "title": N_("Trop de colonnes"),
        "meaning": N_(
            "La ligne {row} contient plus de {limit} colonnes : le fichier est endommagé ou le séparateur "
            "de colonnes est mal choisi. Le fichier n'a pas été analysé pour protéger le service."
        ),
        "fix": N_("Réexportez le fichier depuis votre tableur au format CSV et vérifiez la ligne {row}."),
    },
    "zip-bomb": {
        "title": N_("Archive suspecte"),
        "meaning": N_(
            "Une fois décompressé, le fichier occuperait une place démesurée ({size_h}) : il n'a pas été "
            "ouvert pour protéger le service."
        ),
        "fix": N_("Publiez un fichier non compressé, ou une archive de taille raisonnable (moins de {limit_h} décompressés)."),
    },
    "decompressed-too-large": {
        "title": N_("Fichier décompressé trop volumineux"),
        "meaning": N_("Une fois décompressé, le fichier dépasse la taille maximale acceptée ({limit_h})."),
        "fix": N_("Découpez les données en plusieurs fichiers plus petits (par année par exemple)."),
    },
    "corrupt-archive": {
        "title": N_("Archive endommagée"),
        "meaning": N_("Le fichier compressé (ZIP, XLSX, ODS ou GZIP) est endommagé et ne peut pas être ouvert."),
        "fix": N_("Réenregistrez le fichier depuis le logiciel d'origine puis déposez-le à nouveau."),
    },
    "archive-no-table": {
        "title": N_("Archive sans tableau"),
        "meaning": N_("L'archive ZIP ne contient aucun fichier de données tabulaires (CSV, tableur)."),
        "fix": N_("Déposez directement le fichier CSV ou tableur, sans le compresser."),
    },
    "archive-several-tables": {
        "title": N_("Archive contenant plusieurs fichiers"),
        "meaning": N_(
            "L'archive ZIP contient {count} fichiers : seul le premier tableau (« {name} ») a été vérifié."
        ),
        "fix": N_("Publiez chaque fichier comme une ressource séparée, sans archive, pour qu'ils soient tous vérifiés."),
    },
    "json-not-tabular": {
        "title": N_("JSON non tabulaire"),
        "meaning": N_(
            "Ce fichier JSON n'est pas une liste de lignes : il ne peut pas être vérifié comme un tableau."
        ),
        "fix": N_("Pour un tableau, publiez plutôt un CSV ; un JSON tabulaire est une liste d'objets [{...}, {...}]."),
    },
    "json-too-large": {
        "title": N_("JSON trop volumineux"),
        "meaning": N_("Les fichiers JSON de plus de {limit_h} ne sont pas vérifiés ligne à ligne."),
        "fix": N_("Publiez les mêmes données au format CSV, qui peut être vérifié quelle que soit sa taille."),
    },
    "xls-too-large": {
        "title": N_("Classeur Excel 97-2003 trop volumineux"),
        "meaning": N_("Les fichiers .xls de plus de {limit_h} ne sont pas vérifiés (format ancien, lu entièrement en mémoire)."),
        "fix": N_("Enregistrez le classeur au format CSV UTF-8, ODS ou XLSX, puis déposez ce nouveau fichier."),
    },
    "invalid-json": {
        "title": N_("JSON mal formé"),
        "meaning": N_("Le fichier JSON contient une erreur de syntaxe et ne peut pas être lu."),
        "fix": N_("Réexportez le fichier depuis le logiciel d'origine ; ne le modifiez pas à la main."),
    },
    "unsupported-format": {
        "title": N_("Format non vérifiable"),
        "meaning": N_("Ce format de fichier ({format}) n'est pas un tableau : son contenu n'est pas vérifié ligne à ligne."),
        "fix": N_("Pour des données en tableau, publiez un fichier CSV (ou ODS/XLSX) en plus de ce fichier."),
    },
    # ---- encoding ---------------------------------------------------------------------------------------
    "encoding-not-utf8": {
        "title": N_("Encodage ancien des caractères"),
        "meaning": N_(
            "Le fichier utilise l'encodage « {encoding} » au lieu de l'UTF-8 recommandé : les accents "
            "risquent de s'afficher mal chez les réutilisateurs (« Ã© » au lieu de « é »)."
        ),
        "fix": N_(
            "Dans votre tableur, choisissez « Enregistrer sous » puis le format « CSV UTF-8 » "
            "(Excel) ou cochez « Unicode (UTF-8) » dans les options d'export (LibreOffice)."
        ),
    },
    "encoding-break": {
        "title": N_("Encodage des caractères incohérent"),
        "meaning": N_(
            "Le fichier change d'encodage en cours de route, à partir de la ligne {row} : les caractères "
            "accentués de cette partie s'affichent mal et la plupart des logiciels s'arrêtent à cette ligne."
        ),
        "fix": N_(
            "Le fichier a sans doute été assemblé à partir de plusieurs exports. Ouvrez-le dans votre "
            "tableur, corrigez les accents à partir de la ligne {row}, puis enregistrez-le en « CSV UTF-8 »."
        ),
    },
    "encoding-error": {
        "title": N_("Caractères illisibles"),
        "meaning": N_("Certains caractères du fichier ne peuvent pas être lus avec l'encodage détecté."),
        "fix": N_("Enregistrez le fichier au format « CSV UTF-8 » depuis votre tableur."),
    },
    # ---- information found by the pre-scan ---------------------------------------------------------------
    "semicolon-delimiter": {
        "title": N_("Séparateur point-virgule"),
        "meaning": N_(
            "Les colonnes sont séparées par des points-virgules (export Excel français). C'est accepté, "
            "mais la virgule est le séparateur standard du CSV."
        ),
        "fix": N_("Si possible, exportez avec la virgule comme séparateur (« CSV UTF-8 (délimité par des virgules) »)."),
    },
    "decimal-comma": {
        "title": N_("Virgule décimale"),
        "meaning": N_(
            "Des nombres utilisent la virgule comme séparateur décimal (12,5) dans les colonnes : {columns}. "
            "Les logiciels de traitement de données attendent un point (12.5)."
        ),
        "fix": N_(
            "Avant l'export, réglez le séparateur décimal sur le point, ou remplacez les virgules des "
            "nombres par des points dans ces colonnes."
        ),
    },
    "utf16-file": {
        "title": N_("Fichier « texte Unicode » (UTF-16)"),
        "meaning": N_(
            "Le fichier est enregistré en UTF-16 (« Texte Unicode » d'Excel), un encodage peu lisible par les "
            "autres logiciels. Il a été converti pour être vérifié."
        ),
        "fix": N_("Enregistrez plutôt au format « CSV UTF-8 »."),
    },
    # ---- header and columns -----------------------------------------------------------------------------
    "blank-header": {
        "title": N_("Ligne d'en-tête vide"),
        "meaning": N_("La première ligne, qui doit contenir le nom des colonnes, est vide."),
        "fix": N_("Supprimez les lignes vides en haut du fichier : la première ligne doit contenir le nom des colonnes."),
    },
    "no-header": {
        "title": N_("Pas de ligne d'en-tête"),
        "meaning": N_(
            "La première ligne contient des données (des nombres ou des dates) au lieu du nom des colonnes."
        ),
        "fix": N_("Ajoutez en première ligne le nom de chaque colonne (par exemple : nom, date, montant)."),
    },
    "blank-label": {
        "title": N_("Colonne sans nom"),
        "meaning": N_("La colonne n° {field_number} n'a pas de nom dans la ligne d'en-tête."),
        "fix": N_(
            "Donnez un nom à la colonne n° {field_number}, ou supprimez-la si elle est vide (souvent une "
            "colonne vide en trop à droite du tableau)."
        ),
    },
    "duplicate-label": {
        "title": N_("Nom de colonne en double"),
        "meaning": N_("Le nom « {value} » est utilisé pour plusieurs colonnes : on ne sait pas laquelle lire."),
        "fix": N_("Renommez l'une des colonnes « {value} » pour que chaque nom soit unique."),
    },
    "extra-label": {
        "title": N_("Colonne en trop"),
        "meaning": N_("La colonne n° {field_number} (« {value} ») n'est pas prévue par le schéma."),
        "fix": N_("Supprimez cette colonne, ou vérifiez son nom dans la documentation du schéma."),
    },
    "missing-label": {
        "title": N_("Colonne manquante"),
        "meaning": N_("La colonne « {column} » prévue par le schéma est absente du fichier."),
        "fix": N_("Ajoutez la colonne « {column} » (même vide si elle est facultative), avec exactement ce nom."),
    },
    "incorrect-label": {
        "title": N_("Nom de colonne incorrect"),
        "meaning": N_("La colonne n° {field_number} s'appelle « {value} » au lieu de « {column} » attendu par le schéma."),
        "fix": N_("Renommez la colonne en « {column} », en respectant les majuscules et sans espace en trop."),
    },
    "missing-required-column": {
        "title": N_("Colonne obligatoire manquante"),
        "meaning": N_(
            "La colonne obligatoire « {column} » est absente du fichier : toutes les lignes sont donc "
            "incomplètes."
        ),
        "fix": N_(
            "Ajoutez une colonne nommée exactement « {column} » et remplissez-la pour chaque ligne "
            "(voir la documentation du schéma)."
        ),
    },
    "missing-optional-column": {
        "title": N_("Colonne facultative absente"),
        "meaning": N_("La colonne facultative « {column} » prévue par le schéma est absente du fichier."),
        "fix": N_("Ajoutez la colonne « {column} », même vide : le fichier reste ainsi identique au modèle national."),
    },
    "extra-column": {
        "title": N_("Colonne non prévue par le schéma"),
        "meaning": N_("La colonne « {value} » n'existe pas dans le schéma : elle n'est pas vérifiée."),
        "fix": N_(
            "Vérifiez qu'il ne s'agit pas d'une colonne du schéma mal orthographiée (majuscules, accents, "
            "espaces). Sinon, elle peut rester."
        ),
    },
    "column-order": {
        "title": N_("Ordre des colonnes différent du schéma"),
        "meaning": N_("Les colonnes ne sont pas dans l'ordre prévu par le schéma."),
        "fix": N_("Si possible, remettez les colonnes dans l'ordre du modèle : {columns}."),
    },
    # ---- rows -------------------------------------------------------------------------------------------
    "blank-row": {
        "title": N_("Ligne vide"),
        "meaning": N_("La ligne {row} est entièrement vide."),
        "fix": N_("Supprimez les lignes vides du tableau (souvent en bas du fichier)."),
    },
    "extra-cell": {
        "title": N_("Cellule en trop"),
        "meaning": N_(
            "La ligne {row} contient plus de cellules qu'il n'y a de colonnes (valeur en trop : « {value} »)."
        ),
        "fix": N_(
            "Souvent, un texte contient le séparateur (virgule ou point-virgule) sans être entre guillemets. "
            "Réexportez le fichier depuis votre tableur plutôt que de le modifier à la main, ou vérifiez la ligne {row}."
        ),
    },
    "missing-cell": {
        "title": N_("Cellule manquante"),
        "meaning": N_("La ligne {row} s'arrête avant la colonne « {column} » : il manque des cellules."),
        "fix": N_("Complétez la ligne {row} pour qu'elle ait autant de cellules que l'en-tête (une cellule vide suffit)."),
    },
    "primary-key": {
        "title": N_("Identifiant en double"),
        "meaning": N_("La ligne {row} répète un identifiant déjà utilisé par une autre ligne."),
        "fix": N_("Chaque ligne doit avoir un identifiant unique : corrigez ou supprimez le doublon."),
    },
    "unique-error": {
        "title": N_("Valeur en double"),
        "meaning": N_("Ligne {row}, colonne « {column} » : la valeur « {value} » apparaît déjà sur une autre ligne, alors qu'elle doit être unique."),
        "fix": N_("Corrigez ou supprimez la ligne en double."),
    },
    "foreign-key": {
        "title": N_("Référence inconnue"),
        "meaning": N_("La ligne {row} fait référence à une valeur qui n'existe pas dans la table liée."),
        "fix": N_("Vérifiez la valeur de référence sur cette ligne."),
    },
    # ---- cells ------------------------------------------------------------------------------------------
    "type-error": {
        "title": N_("Valeur mal écrite"),
        "meaning": N_("Ligne {row}, colonne « {column} » : « {value} » n'est pas {expected}."),
        "fix": N_("{type_fix}"),
    },
    "impossible-date": {
        "title": N_("Date qui n'existe pas"),
        "meaning": N_("Ligne {row}, colonne « {column} » : « {value} » est une date qui n'existe pas."),
        "fix": N_(
            "Vérifiez le jour et le mois : février compte 28 jours (29 les années bissextiles) ; avril, juin, "
            "septembre et novembre comptent 30 jours ; les autres mois 31."
        ),
    },
    "constraint-error": {
        "title": N_("Valeur non conforme"),
        "meaning": N_("Ligne {row}, colonne « {column} » : la valeur « {value} » ne respecte pas une règle du schéma."),
        "fix": N_("Corrigez la valeur en suivant la documentation du schéma."),
    },
    "required": {
        "title": N_("Case obligatoire vide"),
        "meaning": N_("Ligne {row}, la colonne « {column} » est vide alors qu'elle est obligatoire."),
        "fix": N_("Remplissez la colonne « {column} » sur la ligne {row}."),
    },
    "enum": {
        "title": N_("Valeur hors de la liste autorisée"),
        "meaning": N_("Ligne {row}, colonne « {column} » : « {value} » ne fait pas partie des valeurs autorisées."),
        "fix": N_("Choisissez une des valeurs autorisées, écrite exactement ainsi (accents et majuscules compris) : {allowed}."),
    },
    "pattern": {
        "title": N_("Format de valeur incorrect"),
        "meaning": N_("Ligne {row}, colonne « {column} » : « {value} » n'a pas la forme attendue."),
        "fix": N_("{pattern_fix}"),
    },
    "minLength": {
        "title": N_("Texte trop court"),
        "meaning": N_("Ligne {row}, colonne « {column} » : « {value} » doit contenir au moins {limit} caractères."),
        "fix": N_("Complétez la valeur (au moins {limit} caractères)."),
    },
    "maxLength": {
        "title": N_("Texte trop long"),
        "meaning": N_("Ligne {row}, colonne « {column} » : la valeur dépasse {limit} caractères."),
        "fix": N_("Raccourcissez le texte à {limit} caractères au plus."),
    },
    "minimum": {
        "title": N_("Valeur trop petite"),
        "meaning": N_("Ligne {row}, colonne « {column} » : « {value} » est inférieur au minimum autorisé ({limit})."),
        "fix": N_("Indiquez une valeur supérieure ou égale à {limit}."),
    },
    "maximum": {
        "title": N_("Valeur trop grande"),
        "meaning": N_("Ligne {row}, colonne « {column} » : « {value} » dépasse le maximum autorisé ({limit})."),
        "fix": N_("Indiquez une valeur inférieure ou égale à {limit} (attention aux pourcentages : 0,5 et non 50)."),
    },
    "exclusiveMinimum": {
        "title": N_("Valeur trop petite"),
        "meaning": N_("Ligne {row}, colonne « {column} » : « {value} » doit être strictement supérieur à {limit}."),
        "fix": N_("Indiquez une valeur strictement supérieure à {limit}."),
    },
    "exclusiveMaximum": {
        "title": N_("Valeur trop grande"),
        "meaning": N_("Ligne {row}, colonne « {column} » : « {value} » doit être strictement inférieur à {limit}."),
        "fix": N_("Indiquez une valeur strictement inférieure à {limit}."),
    },
    # ---- French checks (Validata custom_checks) ---------------------------------------------------------
    "french-siret-value": {
        "title": N_("Numéro SIRET invalide"),
        "meaning": N_("Ligne {row}, colonne « {column} » : « {value} » n'est pas un numéro SIRET valide."),
        "fix": N_(
            "Un SIRET compte 14 chiffres, sans espace ni point. Retrouvez le bon numéro sur "
            "annuaire-entreprises.data.gouv.fr (une faute de frappe d'un seul chiffre le rend invalide)."
        ),
    },
    "french-siren-value": {
        "title": N_("Numéro SIREN invalide"),
        "meaning": N_("Ligne {row}, colonne « {column} » : « {value} » n'est pas un numéro SIREN valide."),
        "fix": N_(
            "Un SIREN compte 9 chiffres, sans espace. Retrouvez le bon numéro sur annuaire-entreprises.data.gouv.fr."
        ),
    },
    "year-interval-value": {
        "title": N_("Année ou période incorrecte"),
        "meaning": N_("Ligne {row}, colonne « {column} » : « {value} » n'est pas une année ou une période valide ({note})."),
        "fix": N_("Écrivez une année sur 4 chiffres (2024) ou une période AAAA/AAAA dont la seconde année est postérieure (2023/2024)."),
    },
    "cohesive-columns-value": {
        "title": N_("Colonnes à remplir ensemble"),
        "meaning": N_("Ligne {row} : les colonnes {columns} doivent être toutes remplies ou toutes vides."),
        "fix": N_("Sur la ligne {row}, remplissez les colonnes manquantes ({missing}) ou videz les autres."),
    },
    "cohesive-columns-missing": {
        "title": N_("Colonnes à fournir ensemble"),
        "meaning": N_("Les colonnes {columns} doivent être toutes présentes ou toutes absentes ; il manque : {missing}."),
        "fix": N_("Ajoutez les colonnes manquantes ({missing}) à l'en-tête du fichier."),
    },
    "compare-columns-value": {
        "title": N_("Valeurs incohérentes entre colonnes"),
        "meaning": N_("Ligne {row} : « {column} » ({value}) devrait être {op_label} « {column2} » ({value2})."),
        "fix": N_("Vérifiez ces deux valeurs sur la ligne {row} : l'une des deux est probablement mal saisie."),
    },
    "sum-columns-value": {
        "title": N_("Total incorrect"),
        "meaning": N_("Ligne {row} : « {column} » vaut {value}, mais la somme de {columns} fait {total}."),
        "fix": N_("Recomptez les valeurs de la ligne {row} : le total doit être égal à la somme des détails."),
    },
    "one-of-required": {
        "title": N_("Une des deux colonnes doit être remplie"),
        "meaning": N_("Ligne {row} : les colonnes « {column} » et « {column2} » sont toutes les deux vides."),
        "fix": N_("Remplissez au moins l'une des deux colonnes « {column} » ou « {column2} » sur la ligne {row}."),
    },
    "one-of-required-missing": {
        "title": N_("Colonnes manquantes"),
        "meaning": N_("Le fichier ne contient ni la colonne « {column} » ni la colonne « {column2} » ; l'une des deux est obligatoire."),
        "fix": N_("Ajoutez au moins l'une des colonnes « {column} » ou « {column2} »."),
    },
    "nomenclature-actes-value": {
        "title": N_("Matière de l'acte incorrecte"),
        "meaning": N_("Ligne {row}, colonne « {column} » : « {value} » ne suit pas la nomenclature des actes ({note})."),
        "fix": N_(
            "Écrivez la matière sous la forme « Domaine/Sous-domaine », sans espace autour de la barre oblique, "
            "par exemple « Finances locales/Subventions ». Domaines possibles : Commande publique, Urbanisme, "
            "Domaine et patrimoine, Fonction publique, Institutions et vie politique, Libertés publiques et "
            "pouvoirs de police, Finances locales, Domaines de compétences par thèmes, Autres domaines de "
            "compétences."
        ),
    },
    "code-commune-insee-value": {
        "title": N_("Code commune INSEE inconnu"),
        "meaning": N_("Ligne {row}, colonne « {column} » : « {value} » n'est pas un code commune INSEE existant."),
        "fix": N_(
            "Le code INSEE (5 caractères, par exemple 67482 pour Strasbourg) n'est pas le code postal. "
            "Retrouvez-le sur le site de l'INSEE (Code officiel géographique)."
        ),
    },
    "code-postal-value": {
        "title": N_("Code postal inconnu"),
        "meaning": N_("Ligne {row}, colonne « {column} » : « {value} » n'est pas un code postal existant."),
        "fix": N_("Un code postal compte 5 chiffres, zéro initial compris (par exemple 08000 et non 8000)."),
    },
    "opening-hours-value": {
        "title": N_("Horaires d'ouverture mal écrits"),
        "meaning": N_(
            "Ligne {row}, colonne « {column} » : « {value} » n'est pas écrit selon la syntaxe des horaires "
            "d'OpenStreetMap ({note})."
        ),
        "fix": N_(
            "Écrivez les horaires comme ceci : « Mo-Fr 08:00-12:00,14:00-18:00; Sa 09:00-12:00 ». Jours en "
            "abrégé anglais (Mo, Tu, We, Th, Fr, Sa, Su), heures sur 2 chiffres avec deux-points, une virgule "
            "entre deux plages d'un même jour, un point-virgule entre deux règles ; « 24/7 » pour toujours "
            "ouvert, « PH off » pour fermé les jours fériés. Le guide complet est sur "
            "wiki.openstreetmap.org/wiki/FR:Key:opening_hours."
        ),
    },
    "phone-number-value": {
        "title": N_("Numéro de téléphone invalide"),
        "meaning": N_("Ligne {row}, colonne « {column} » : « {value} » n'est pas un numéro de téléphone valide."),
        "fix": N_(
            "Écrivez un seul numéro par case : un numéro français à 10 chiffres (03 88 60 90 90), un numéro "
            "international précédé de l'indicatif du pays (+33 3 88 60 90 90) ou un numéro court (115, 3949). "
            "Vérifiez qu'il ne manque pas de chiffre."
        ),
    },
    "french-gps-coordinates": {
        "title": N_("Coordonnées GPS hors de France"),
        "meaning": N_(
            "Ligne {row}, colonne « {column} » : « {value} » ne désigne pas un point situé en France "
            "(métropole ou départements d'outre-mer) : {note}."
        ),
        "fix": N_(
            "Écrivez la longitude puis la latitude en degrés décimaux (WGS 84), séparées par une virgule et "
            "avec un point décimal, par exemple « 7.7521,48.5734 » pour Strasbourg. Vérifiez le signe moins et "
            "qu'il ne s'agit pas de coordonnées en mètres (Lambert 93)."
        ),
    },
    "reversed-french-gps-coordinates": {
        "title": N_("Coordonnées GPS inversées"),
        "meaning": N_(
            "Ligne {row}, colonne « {column} » : « {value} » tombe hors de France, mais le point serait en France "
            "en échangeant les deux nombres : la latitude semble écrite avant la longitude."
        ),
        "fix": N_(
            "Écrivez d'abord la longitude, puis la latitude : « 7.7521,48.5734 » pour Strasbourg, et non "
            "« 48.5734,7.7521 »."
        ),
    },
    "unsupported-check": {
        "title": N_("Contrôle non disponible"),
        "meaning": N_("Le schéma demande le contrôle « {check} », qui n'est pas encore disponible ici : cette règle n'a pas été vérifiée."),
        "fix": N_("Aucune action nécessaire de votre part."),
    },
    # ---- failures of the reader -------------------------------------------------------------------------
    "source-error": {
        "title": N_("Fichier illisible"),
        "meaning": N_("Le fichier n'a pas pu être lu comme un tableau."),
        "fix": N_("Réenregistrez vos données au format CSV UTF-8 depuis votre tableur, puis déposez-les à nouveau."),
    },
    "format-error": {
        "title": N_("Format de fichier non reconnu"),
        "meaning": N_("Le contenu du fichier ne correspond pas à son format annoncé."),
        "fix": N_("Vérifiez l'extension du fichier (.csv, .xlsx, .ods) et réenregistrez-le depuis votre tableur."),
    },
    "schema-error": {
        "title": N_("Schéma inutilisable"),
        "meaning": N_("Le schéma de données indiqué ne peut pas être utilisé pour la vérification."),
        "fix": N_("Choisissez un schéma de la liste nationale, ou corrigez le fichier de schéma."),
    },
    "unknown-schema": {
        "title": N_("Schéma inconnu"),
        "meaning": N_("Le schéma « {schema} » n'existe pas dans le catalogue : la conformité n'a pas été vérifiée."),
        "fix": N_("Choisissez le schéma dans la liste proposée (par exemple « scdl/deliberations »)."),
    },
    "outdated-schema-version": {
        "title": N_("Version de schéma ancienne"),
        "meaning": N_("La version {version} du schéma est déclarée ; la dernière version est {latest}, c'est elle qui a servi à la vérification."),
        "fix": N_("Mettez le fichier à jour selon la version {latest} du schéma et déclarez cette version."),
    },
    "no-data-rows": {
        "title": N_("Aucune ligne de données"),
        "meaning": N_("Le fichier ne contient que la ligne d'en-tête : aucune donnée n'a été publiée."),
        "fix": N_("Ajoutez les données sous la ligne d'en-tête, ou retirez la ressource si elle n'a pas de contenu."),
    },
    "validation-partial": {
        "title": N_("Vérification partielle"),
        "meaning": N_("La vérification s'est arrêtée à la ligne {row} ({reason}) : les chiffres portent sur cette partie du fichier."),
        "fix": N_("Corrigez d'abord les erreurs les plus fréquentes, puis relancez la vérification."),
    },
    "task-error": {
        "title": N_("Erreur de vérification"),
        "meaning": N_("Une erreur inattendue a empêché la vérification du fichier."),
        "fix": N_("Réessayez plus tard ; si le problème persiste, contactez l'équipe DataGrandEst."),
    },
}

GENERIC_ERROR = {
    "title": N_("Problème détecté"),
    "meaning": N_("Un problème de type « {type} » a été détecté."),
    "fix": N_("Vérifiez le fichier à l'endroit indiqué."),
}

# What a value of each Table Schema type should look like, and how to fix it.
TYPE_EXPECTED: dict[str, tuple[str, str]] = {
    "integer": (
        N_("un nombre entier"),
        N_("Écrivez un nombre entier, sans espace, sans décimale et sans unité (par exemple 42, et non « 42 € » ou « 1 200 »)."),
    ),
    "number": (
        N_("un nombre"),
        N_("Écrivez un nombre avec un point comme séparateur décimal, sans espace ni symbole (par exemple 1234.50, et non « 1 234,50 € »)."),
    ),
    "date": (
        N_("une date au format AAAA-MM-JJ"),
        N_("Écrivez la date sous la forme AAAA-MM-JJ, par exemple 2024-03-31 (et non 31/03/2024). Dans le tableur, appliquez à la colonne le format de date personnalisé « AAAA-MM-JJ » avant d'enregistrer en CSV."),
    ),
    "datetime": (
        N_("une date et heure au format AAAA-MM-JJTHH:MM:SS"),
        N_("Écrivez la date et l'heure sous la forme 2024-03-31T14:30:00."),
    ),
    "time": (N_("une heure au format HH:MM:SS"), N_("Écrivez l'heure sous la forme 14:30:00.")),
    "year": (N_("une année sur 4 chiffres"), N_("Écrivez l'année sur 4 chiffres, par exemple 2024.")),
    "yearmonth": (N_("un mois au format AAAA-MM"), N_("Écrivez le mois sous la forme AAAA-MM, par exemple 2024-03.")),
    "boolean": (
        N_("une valeur vrai/faux"),
        N_("Écrivez « true » ou « false » (ou « oui »/« non » si le schéma le prévoit), sans autre texte."),
    ),
    "geopoint": (N_("des coordonnées géographiques"), N_("Écrivez les coordonnées sous la forme « longitude,latitude » avec des points décimaux.")),
    "geojson": (N_("une géométrie GeoJSON"), N_("Vérifiez la géométrie GeoJSON de cette cellule.")),
    "array": (N_("une liste"), N_("Écrivez une liste au format JSON, par exemple [\"a\",\"b\"].")),
    "object": (N_("un objet JSON"), N_("Écrivez un objet au format JSON.")),
    "duration": (N_("une durée"), N_("Écrivez la durée au format ISO 8601, par exemple P1D pour un jour.")),
    "string": (N_("un texte"), N_("Vérifiez le texte de cette cellule.")),
}

DATE_FORMAT_HINT = N_("Écrivez la date au format attendu par le schéma ({format}).")

OPERATORS = {
    "<": N_("inférieur à"),
    "<=": N_("inférieur ou égal à"),
    "==": N_("égal à"),
    ">=": N_("supérieur ou égal à"),
    ">": N_("supérieur à"),
}

PARTIAL_REASONS = {
    "error-limit": N_("trop d'erreurs"),
    "time-limit": N_("durée maximale atteinte"),
    "encoding-break": N_("changement d'encodage"),
    "read-error": N_("fichier illisible à partir de là"),
}

STATUS_LABELS = {
    "valid": N_("Conforme au schéma"),
    "invalid": N_("Des erreurs sont à corriger"),
    "structure-only": N_("Structure correcte, sans schéma de référence"),
    "rejected": N_("Fichier refusé"),
    "error": N_("Vérification impossible"),
    "not-tabular": N_("Pas un tableau : contenu non vérifié ligne à ligne"),
}


# --------------------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------------------

class _SafeDict(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def _format(template: str, params: dict[str, Any]) -> str:
    try:
        return template.format_map(_SafeDict(params))
    except (ValueError, IndexError):
        return template


def short_value(value: Any) -> str:
    text = "" if value is None else str(value)
    text = text.replace("\r", " ").replace("\n", " ")
    if len(text) > VALUE_MAX_CHARS:
        text = text[: VALUE_MAX_CHARS - 1] + "…"
    return text


_CONSTRAINT_RE = re.compile(r'constraint "(\w+)" is "(.*)"', re.S)
_TYPE_RE = re.compile(r'type is "(\w+)/([^"]*)"')


def _pattern_fix(pattern: str, field: dict[str, Any] | None = None) -> str:
    known = {
        r"^\d{14}$": N_("La valeur doit être composée de 14 chiffres exactement (un numéro SIRET), sans espace ni point."),
        r"^\d{9}$": N_("La valeur doit être composée de 9 chiffres exactement (un numéro SIREN), sans espace."),
        r"^([013-9]\d|2[AB1-9])\d{3}$": N_("La valeur doit être un code commune INSEE de 5 caractères (par exemple 67482 ou 2A004), zéro initial compris."),
        r"^\d\.\d{1,2}$": N_("La valeur doit être un code de matière sous la forme chiffre.nombre, par exemple 7.5 ou 1.1."),
        r"^W\d{9}$": N_("La valeur doit être un numéro RNA : la lettre W suivie de 9 chiffres (par exemple W671234567)."),
        r"^[0-9]{4}(\/[0-9]{4})?$": N_("La valeur doit être une année (2024) ou une période (2023/2024)."),
    }
    for key, text in known.items():
        if pattern == key:
            return _(text)
    # Never the regular expression itself: a commune is told what is expected in the schema's own words.
    field = field or {}
    description = plain_description(field.get("description") or field.get("title") or "")
    example = short_value(field.get("example")) if field.get("example") not in (None, "") else ""
    if description and example:
        return _format(_(N_("Ce qui est attendu, selon le schéma : {description} Exemple de valeur correcte : « {example} ».")),
                       {"description": description, "example": example})
    if description:
        return _format(_(N_("Ce qui est attendu, selon le schéma : {description}")), {"description": description})
    if example:
        return _format(_(N_("Écrivez la valeur sur le modèle de cet exemple donné par le schéma : « {example} ».")),
                       {"example": example})
    return _(N_("La valeur n'a pas la forme prévue par le schéma pour cette colonne : consultez la documentation "
                "du schéma."))


_MD_LINK_RE = re.compile(r"\[([^\]]*)\]\([^)]*\)")
DESCRIPTION_MAX_CHARS = 400


def plain_description(text: str) -> str:
    """A schema field's description as plain text: Markdown links reduced to their text, one line, capped,
    ending with a full stop."""
    text = _MD_LINK_RE.sub(r"\1", str(text or ""))
    text = " ".join(text.replace("`", "").split())
    if len(text) > DESCRIPTION_MAX_CHARS:
        text = text[: DESCRIPTION_MAX_CHARS - 1].rsplit(" ", 1)[0] + "…"
    if text and text[-1] not in ".!?…":
        text += "."
    return text


_DATE_PARTS = {"%Y": r"(?P<y>\d{4})", "%m": r"(?P<m>\d{1,2})", "%d": r"(?P<d>\d{1,2})"}


def is_impossible_date(value: Any, ftype: str, fformat: str | None) -> bool:
    """True when ``value`` is written as the schema asks (e.g. 2024-02-30 for AAAA-MM-JJ) but names a day
    that does not exist: a wrong day, not a wrong format."""
    import datetime as _dt

    if ftype not in ("date", "datetime") or not isinstance(value, str):
        return False
    fformat = fformat or "default"
    if fformat in ("default", "any", ""):
        pattern = r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})" + (r"(T.*)?" if ftype == "datetime" else "")
    else:
        if not all(part in fformat for part in _DATE_PARTS):
            return False
        pattern, i = "", 0
        while i < len(fformat):
            if fformat[i] == "%" and i + 1 < len(fformat):
                directive = fformat[i:i + 2]
                pattern += _DATE_PARTS.get(directive, ".+?") if directive != "%%" else "%"
                i += 2
            else:
                pattern += re.escape(fformat[i])
                i += 1
    try:
        match = re.fullmatch(pattern, value.strip())
    except re.error:  # a format naming the same part twice
        return False
    if not match:
        return False
    year, month, day = int(match.group("y")), int(match.group("m")), int(match.group("d"))
    try:
        _dt.date(year, month, day)
    except ValueError:
        return True
    return False


def error_text(code: str) -> dict[str, str]:
    """Untranslated catalogue entry for ``code`` (title/meaning/fix templates)."""
    return ERRORS.get(code, GENERIC_ERROR)


def render(code: str, /, **params: Any) -> dict[str, str]:
    """Title, meaning and fix for ``code`` with ``params`` substituted, translated."""
    entry = ERRORS.get(code, GENERIC_ERROR)
    params = dict(params)
    params.setdefault("type", code)
    if "limit" in params and "limit_h" not in params:
        params["limit_h"] = human_size(params["limit"]) if isinstance(params["limit"], int) else params["limit"]
    if "size" in params and "size_h" not in params:
        params["size_h"] = human_size(params["size"])
    return {
        "title": _(entry["title"]),
        "message": _format(_(entry["meaning"]), params),
        "fix": _format(_(entry["fix"]), params),
    }


def render_error(error: dict[str, Any], *, field_types: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """Turn a raw error (frictionless ``to_descriptor()`` subset or engine error) into a French entry.

    ``error`` keys: ``type``, optional ``rowNumber``, ``fieldName``, ``fieldNumber``, ``cell``, ``note``
    and any extra params (``column2``, ``columns`` ...). ``field_types`` maps a field name to its schema
    field descriptor, to explain type errors.
    """
    code = error.get("type", "task-error")
    row = error.get("rowNumber", error.get("row"))
    column = error.get("fieldName") or ""
    value = short_value(error.get("cell", error.get("value", "")))
    note = error.get("note") or ""
    params: dict[str, Any] = {
        k: v for k, v in error.items() if k not in ("type", "rowNumber", "row", "fieldName", "cell", "note")
    }
    params.update(row=row, column=column, value=value, note=note, field_number=error.get("fieldNumber", "?"))
    key = code
    if code == "type-error":
        match = _TYPE_RE.search(note)
        ftype = match.group(1) if match else "string"
        fformat = match.group(2) if match else "default"
        if field_types and column in field_types:
            ftype = field_types[column].get("type", ftype)
            fformat = field_types[column].get("format", fformat) or "default"
        expected, type_fix = TYPE_EXPECTED.get(ftype, TYPE_EXPECTED["string"])
        params["expected"] = _(expected)
        if ftype in ("date", "datetime") and fformat not in ("default", "any", "%Y-%m-%d", ""):
            params["type_fix"] = _format(_(DATE_FORMAT_HINT), {"format": fformat})
        elif ftype == "boolean" and field_types and field_types.get(column, {}).get("trueValues"):
            field = field_types[column]
            params["type_fix"] = _format(
                _(N_("Écrivez {true} ou {false}, exactement ainsi et sans autre texte.")),
                {"true": " / ".join(f"« {v} »" for v in field["trueValues"]),
                 "false": " / ".join(f"« {v} »" for v in field.get("falseValues") or [])},
            )
        elif ftype == "number" and "," in value and value.replace(",", "").replace(" ", "").lstrip("-").isdigit():
            params["type_fix"] = _(TYPE_EXPECTED["number"][1])
        else:
            params["type_fix"] = _(type_fix)
    elif code == "constraint-error":
        match = _CONSTRAINT_RE.search(note)
        if match:
            constraint, limit = match.group(1), match.group(2)
            if constraint in ERRORS:
                key = constraint
            params["limit"] = limit
            if constraint == "enum":
                allowed = limit.strip("[]")
                params["allowed"] = allowed if len(allowed) < 400 else allowed[:400] + "…"
            if constraint == "pattern":
                params["pattern_fix"] = _pattern_fix(limit, (field_types or {}).get(column))
    elif code == "compare-columns-value":
        params["op_label"] = _(OPERATORS.get(str(params.get("op")), params.get("op", "?")))
    if isinstance(params.get("columns"), (list, tuple)):
        params["columns"] = ", ".join(f"« {c} »" for c in params["columns"])
    if isinstance(params.get("missing"), (list, tuple)):
        params["missing"] = ", ".join(f"« {c} »" for c in params["missing"])
    rendered = render(key, **params)
    out: dict[str, Any] = {
        "type": code,
        "title": rendered["title"],
        "message": rendered["message"],
        "fix": rendered["fix"],
        "row": row,
        "column": column or None,
        "value": value if value != "" else None,
        "severity": error.get("severity", "error"),
    }
    if key != code:
        out["constraint"] = key
    return out



def problem_key(entry: dict[str, Any]) -> str:
    """The key under which a rendered finding is counted in ``report["counts"]`` (the constraint's name for a
    constraint error: ``pattern``, ``enum``...; else its type)."""
    return str(entry.get("constraint") or entry.get("type") or "")


def problem_sections(report: dict[str, Any] | None, severity: str = "error") -> list[dict[str, Any]]:
    """The problems of a report, one section per counted kind, in the order of ``count_details``.

    Each section: ``{"type", "anchor", "title", "count", "items", "shared_fix"}``. ``count`` is the number
    counted in the whole file (``report["counts"]``), ``items`` the examples kept (maybe none): the summary of
    a report and its detail are both built from these sections, so they cannot disagree, and every summary
    link has a section to land on.
    """
    report = report or {}
    entries = report.get("errors" if severity == "error" else "warnings") or []
    counts = report.get("counts" if severity == "error" else "warning_counts") or {}
    sections: dict[str, dict[str, Any]] = {}
    for detail in report.get("count_details") or []:
        if (detail.get("severity") or "error") == severity and detail.get("type"):
            kind = str(detail["type"])
            sections[kind] = {"type": kind, "title": detail.get("title") or kind, "count": int(detail.get("count") or 0),
                              "items": [], "fixes": []}
    for entry in entries:
        if (entry.get("severity") or "error") != severity and severity == "error":
            continue
        kind = problem_key(entry)
        section = sections.get(kind)
        if section is None:  # an example of a kind the counts do not know (older reports): count what is shown
            section = sections[kind] = {"type": kind, "title": entry.get("title") or kind,
                                        "count": int(counts.get(kind) or 0), "items": [], "fixes": []}
        section["items"].append(entry)
        fix = entry.get("fix")
        if fix and fix not in section["fixes"]:
            section["fixes"].append(fix)
    out = []
    for section in sections.values():
        section["count"] = max(section["count"], len(section["items"]))
        section["shared_fix"] = section["fixes"][0] if len(section["fixes"]) == 1 else None
        section["anchor"] = "problem-" + re.sub(r"[^A-Za-z0-9_-]", "-", section["type"])
        out.append(section)
    return out
