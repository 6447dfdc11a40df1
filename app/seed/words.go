package seed

// The words demo content is made of: a brand's community forum about its
// products, half in English and half in French.

var productsEN = []string{"router", "mesh kit", "smart plug", "thermostat", "camera", "doorbell", "app", "hub", "speaker", "battery pack", "light strip", "sensor"}
var productsFR = []string{"routeur", "kit mesh", "prise connectée", "thermostat", "caméra", "sonnette", "application", "box", "enceinte", "batterie", "ruban LED", "capteur"}

var questionsEN = []string{
	"How do I reset my %s?", "Why does my %s keep disconnecting?", "Is the %s compatible with my setup?",
	"Can I use two %ss in the same house?", "What is the best place for the %s?", "%s stuck on the update screen",
	"How long should the %s battery last?", "Does the %s work without the cloud?", "Pairing the %s fails every time",
}
var questionsFR = []string{
	"Comment réinitialiser mon %s ?", "Pourquoi mon %s se déconnecte-t-il sans arrêt ?", "Le %s est-il compatible avec mon installation ?",
	"Peut-on utiliser deux %s dans la même maison ?", "Où placer le %s ?", "%s bloqué sur l’écran de mise à jour",
	"Combien de temps tient la batterie du %s ?", "Le %s fonctionne-t-il sans le cloud ?", "L’appairage du %s échoue à chaque fois",
}
var discussionsEN = []string{
	"My first week with the %s", "Ideas for the next %s update", "Share your %s setup", "The %s after one year: my review",
	"Feature request: schedules on the %s", "Tips and tricks for the %s", "Comparing the %s with the old model",
}
var discussionsFR = []string{
	"Ma première semaine avec le %s", "Des idées pour la prochaine mise à jour du %s", "Montrez votre installation de %s",
	"Le %s après un an : mon avis", "Suggestion : des plannings pour le %s", "Astuces pour le %s", "Le %s comparé à l’ancien modèle",
}

var sentencesEN = []string{
	"I have had it for a few months now and it mostly works well.",
	"Since the last firmware update the connection drops every evening.",
	"Holding the button for ten seconds brings it back to factory settings.",
	"Make sure the app is up to date before you try pairing again.",
	"It works fine on 2.4 GHz but not on 5 GHz in my house.",
	"Support told me a fix is coming in the next release.",
	"Moving it closer to the window made a real difference.",
	"The battery lasts about three weeks with the default settings.",
	"Has anyone managed to use it with a second account?",
	"Thanks, that solved it for me!",
	"Same problem here, following this thread.",
	"I would love an option to turn off the status light at night.",
	"Check the logs in the app: they usually say what went wrong.",
	"The installation took me less than ten minutes.",
}
var sentencesFR = []string{
	"Je l’utilise depuis quelques mois et ça fonctionne plutôt bien.",
	"Depuis la dernière mise à jour, la connexion coupe tous les soirs.",
	"Un appui de dix secondes sur le bouton le remet en configuration d’usine.",
	"Vérifiez que l’application est à jour avant de réessayer l’appairage.",
	"Ça marche en 2,4 GHz mais pas en 5 GHz chez moi.",
	"Le support m’a dit qu’un correctif arrive dans la prochaine version.",
	"Le rapprocher de la fenêtre a vraiment changé les choses.",
	"La batterie tient environ trois semaines avec les réglages par défaut.",
	"Quelqu’un a-t-il réussi à l’utiliser avec un second compte ?",
	"Merci, ça a réglé mon problème !",
	"Même souci ici, je suis la discussion.",
	"J’aimerais pouvoir éteindre le voyant la nuit.",
	"Regardez les journaux dans l’application : ils disent souvent ce qui cloche.",
	"L’installation m’a pris moins de dix minutes.",
}

var firstNames = []string{"ana", "boris", "chloe", "david", "emma", "farid", "gwen", "hugo", "ines", "jules", "karim", "lea", "marc", "nina", "oscar", "paula", "quentin", "rosa", "sami", "tina", "ugo", "vera", "walid", "xena", "yann", "zoe"}

var categoriesSeed = []struct{ Name, Slug, Description, Color string }{
	{"Getting started", "getting-started", "Setting things up for the first time.", "#0f7b6c"},
	{"Troubleshooting", "troubleshooting", "Something does not work? Ask here.", "#b42318"},
	{"Ideas", "ideas", "Suggestions for our products.", "#8a3ffc"},
	{"Entraide", "entraide", "Questions et réponses en français.", "#1f4fb5"},
	{"Show and tell", "show-and-tell", "Your setups, photos and stories.", "#9a3412"},
}

var tagsSeed = []string{"wifi", "battery", "firmware", "app", "installation", "bug", "feature", "mesh", "privacy", "automation"}
