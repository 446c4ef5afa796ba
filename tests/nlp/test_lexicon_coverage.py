"""Coverage of the real en/es/pt indicator lexicons on original, fictional wire-style sentences.

Each positive must produce a full-weight hit (weight >= FULL_WEIGHT_THRESHOLD) of its category; each hard
negative must produce no full-weight hit of the category it is built to fool. English runs with the installed
model (lemma matching, as in production); Spanish and Portuguese run on blank pipelines.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from vigil.nlp.indicators import FULL_WEIGHT_THRESHOLD
from vigil.nlp.tagger import Tagger, TagInput

CONFIG = Path(__file__).resolve().parents[2] / "config"


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger.from_config(CONFIG, languages=["en", "es", "pt"], use_models=True)


def _full(tagger: Tagger, lang: str, text: str) -> set[str]:
    tags = tagger.tag(TagInput(id="c", text=text, language=lang))
    return {h.category for h in tags.indicators if h.weight >= FULL_WEIGHT_THRESHOLD}


POSITIVES: list[tuple[str, str, str]] = [
    # ---- English -------------------------------------------------------------------------------------
    ("en", "classification", "New identity cards that record the holder's ethnicity were issued in the north."),
    ("en", "classification", "Residents said the homes of Ndoro families had been marked with a red cross overnight."),
    ("en", "classification", "Members of the sect were made to wear yellow badges in the market town."),
    ("en", "discrimination", "Thousands of Ralani were stripped of their citizenship under the new decree."),
    ("en", "discrimination", "The law left some 200,000 people stateless and banned the Tivan language in schools."),
    ("en", "discrimination", "Authorities closed dozens of mosques and forbade residents from praying in public."),
    ("en", "dehumanization", "The governor likened the Ndoro minority to cockroaches in a televised address."),
    ("en", "dehumanization", "A minister described the refugees as vermin who must be removed."),
    ("en", "dehumanization", "In the leaked recording the commander said the villagers are not human beings."),
    ("en", "incitement", "A local radio host urged listeners to kill their Ndoro neighbours."),
    ("en", "incitement", "Posts calling for the expulsion of the minority spread hate speech on social media."),
    ("en", "incitement", "The cleric called for the death of all apostates at Friday's rally."),
    ("en", "militia_mobilization", "Officials handed out rifles to civilians in the border district."),
    ("en", "militia_mobilization", "A government-backed militia recruited hundreds of young men last month."),
    ("en", "militia_mobilization", "Human rights monitors documented the recruitment of children by the armed group."),
    ("en", "repression", "The army declared martial law and imposed a nationwide curfew."),
    ("en", "repression", "Security forces opened fire on peaceful protesters in the capital."),
    ("en", "repression", "The government launched a crackdown on the Ralani community after the protests."),
    ("en", "information_blackout", "Internet and phone services were cut across the region for a third day."),
    ("en", "information_blackout", "The authorities expelled two correspondents and barred aid agencies."),
    ("en", "information_blackout", "UN investigators were denied access to the province."),
    ("en", "targeting", "Gunmen went door to door searching for members of the Ndoro clan."),
    ("en", "targeting", "Soldiers separated the men from the women and led them away."),
    ("en", "targeting", "Passengers were pulled off buses and singled out because of their ethnicity."),
    ("en", "forced_displacement", "More than 30,000 people have been displaced by the fighting, the UN said."),
    ("en", "forced_displacement", "Militiamen forced thousands from their homes and razed their villages."),
    ("en", "forced_displacement", "The army carried out the forcible deportation of the entire Ralani population."),
    ("en", "detention", "Hundreds of men were rounded up and held in secret detention, relatives said."),
    ("en", "detention", "Activists said the lawyer disappeared after being detained by security forces."),
    ("en", "detention", "Former detainees described re-education facilities ringed by watchtowers."),
    ("en", "siege_starvation", "The besieged town has been cut off from food for weeks."),
    ("en", "siege_starvation", "Fighters looted aid convoys and burned crops, using starvation as a weapon."),
    ("en", "siege_starvation", "Aid trucks were blocked at the checkpoint and the water supply was cut off."),
    ("en", "sexual_violence", "Dozens of women were raped by militiamen during the assault on the village."),
    ("en", "sexual_violence", "Survivors said girls were forced to marry fighters and held as sex slaves."),
    ("en", "sexual_violence", "The report documents rape used as a tool of war and forced sterilisation."),
    ("en", "mass_killing", "At least 40 civilians were killed when gunmen attacked the village."),
    ("en", "mass_killing", "Soldiers shot dead 12 unarmed civilians, witnesses said."),
    ("en", "mass_killing", "Attackers torched the village and killed women and children, survivors said."),
    ("en", "genocidal_intent", "UN experts warned that the campaign amounts to genocide against the Ralani."),
    ("en", "genocidal_intent", "The commander vowed to wipe out the Ndoro people."),
    ("en", "genocidal_intent", "Investigators said the attacks were crimes against humanity and ethnic cleansing."),
    ("en", "denial_impunity", "The government denied the atrocities and bulldozed the graves outside town."),
    ("en", "denial_impunity", "Witnesses were threatened and the authorities blocked a UN investigation."),
    ("en", "denial_impunity", "A decade later, nobody has been held accountable and the killings went unpunished."),
    ("en", "trigger", "Mutinous soldiers detained the president and seized the state broadcaster."),
    ("en", "trigger", "The ceasefire has collapsed and fresh fighting erupted in the east."),
    ("en", "trigger", "UN peacekeepers will begin withdrawing from the country next month."),
    # ---- Spanish -------------------------------------------------------------------------------------
    ("es", "classification", "Los nuevos documentos de identidad que indican la etnia del titular fueron repartidos."),
    ("es", "classification", "Los vecinos denunciaron que marcaron las puertas de las familias ndoro con pintura."),
    ("es", "classification", "Los fieles fueron obligados a llevar un brazalete identificativo."),
    ("es", "discrimination", "El gobierno retiró la nacionalidad a cientos de opositores."),
    ("es", "discrimination", "Miles de ralanis quedaron apátridas tras la reforma."),
    ("es", "discrimination", "Las autoridades ordenaron el cierre de mezquitas y la prohibición del idioma tivano."),
    ("es", "dehumanization", "El gobernador comparó a los ndoro con cucarachas en un discurso."),
    ("es", "dehumanization", "El ministro dijo que esos refugiados son animales y no son personas."),
    ("es", "dehumanization", "Un comandante afirmó que son escoria humana."),
    ("es", "incitement", "Un locutor instó a los oyentes a matar a sus vecinos."),
    ("es", "incitement", "El clérigo pidió la muerte de los apóstatas en un mitin."),
    ("es", "incitement", "Las redes difundieron mensajes de odio contra la minoría ralani."),
    ("es", "militia_mobilization", "Funcionarios repartieron fusiles a civiles en la frontera."),
    ("es", "militia_mobilization", "Las milicias progubernamentales reclutaron a cientos de jóvenes."),
    ("es", "militia_mobilization", "La ONU documentó el reclutamiento de menores por el grupo."),
    ("es", "repression", "El gobierno decretó el toque de queda y la suspensión de garantías."),
    ("es", "repression", "La policía detuvo a decenas de opositores y hay varios manifestantes muertos."),
    ("es", "repression", "Denuncian persecución política contra los dirigentes estudiantiles."),
    ("es", "information_blackout", "Las autoridades cortaron las comunicaciones en toda la región."),
    ("es", "information_blackout", "El régimen expulsó al corresponsal y clausuró dos periódicos."),
    ("es", "information_blackout", "El ejército impidió el acceso humanitario a la provincia."),
    ("es", "targeting", "Los hombres armados fueron casa por casa buscando a los ndoro."),
    ("es", "targeting", "Los soldados separaron a los hombres de las mujeres."),
    ("es", "targeting", "Los pasajeros fueron perseguidos por su etnia tras bajar del autobús."),
    ("es", "forced_displacement", "Más de 30.000 personas fueron desplazadas por los combates."),
    ("es", "forced_displacement", "Miles de familias huyeron de sus hogares tras los ataques."),
    ("es", "forced_displacement", "Los milicianos arrasaron varias aldeas del valle."),
    ("es", "detention", "Cientos de personas fueron detenidas en redadas masivas."),
    ("es", "detention", "El activista desapareció tras ser detenido por militares."),
    ("es", "detention", "Los presos fueron recluidos en campos de reeducación."),
    ("es", "siege_starvation", "La ciudad asediada sufre bombardeos diarios y sus habitantes mueren."),
    ("es", "siege_starvation", "Los combatientes bloquearon la ayuda humanitaria y cortaron el agua."),
    ("es", "siege_starvation", "Denuncian el uso del hambre como arma contra la población."),
    ("es", "sexual_violence", "Decenas de mujeres fueron violadas por milicianos en la aldea."),
    ("es", "sexual_violence", "Las niñas fueron obligadas a casarse con combatientes."),
    ("es", "sexual_violence", "El informe denuncia esterilizaciones forzadas de mujeres indígenas."),
    ("es", "mass_killing", "Al menos 40 civiles murieron en el ataque de los hombres armados."),
    ("es", "mass_killing", "Los atacantes incendiaron la aldea y mataron a mujeres y niños."),
    ("es", "mass_killing", "Los soldados abrieron fuego contra los civiles que huían."),
    ("es", "genocidal_intent", "Los expertos advierten de un genocidio contra los ralanis."),
    ("es", "genocidal_intent", "El comandante juró aniquilar a los ndoro."),
    ("es", "genocidal_intent", "Los investigadores hablan de crímenes de lesa humanidad."),
    ("es", "denial_impunity", "El gobierno negó que hubiera una masacre en la aldea."),
    ("es", "denial_impunity", "Los testigos fueron amenazados y nadie ha sido condenado."),
    ("es", "denial_impunity", "Los crímenes siguen impunes diez años después."),
    ("es", "trigger", "Militares golpistas derrocaron al presidente esta madrugada."),
    ("es", "trigger", "Se rompió el alto el fuego y hubo nuevos combates en el este."),
    ("es", "trigger", "Comenzó la retirada de los cascos azules del país."),
    # ---- Portuguese ----------------------------------------------------------------------------------
    ("pt", "classification", "Os novos documentos de identidade que indicam a etnia foram distribuídos."),
    ("pt", "classification", "Os moradores disseram que marcaram as portas das famílias ndoro."),
    ("pt", "classification", "Os fiéis foram obrigados a usar uma braçadeira identificativa."),
    ("pt", "discrimination", "O governo retirou a nacionalidade a centenas de opositores."),
    ("pt", "discrimination", "Milhares de ralanis ficaram apátridas após a reforma."),
    ("pt", "discrimination", "As autoridades ordenaram o encerramento de mesquitas e a proibição da língua tivana."),
    ("pt", "dehumanization", "O governador comparou os ndoro a baratas num discurso."),
    ("pt", "dehumanization", "O ministro disse que os refugiados são animais e não são pessoas."),
    ("pt", "dehumanization", "Um comandante afirmou que eles são escória humana."),
    ("pt", "incitement", "Um locutor incitou os ouvintes a matar os vizinhos."),
    ("pt", "incitement", "O clérigo pediu a morte dos apóstatas num comício."),
    ("pt", "incitement", "As redes espalharam mensagens de ódio contra a minoria ralani."),
    ("pt", "militia_mobilization", "Funcionários distribuíram armas aos civis na fronteira."),
    ("pt", "militia_mobilization", "Grupos paramilitares recrutaram centenas de jovens."),
    ("pt", "militia_mobilization", "A ONU documentou o recrutamento de crianças pelo grupo."),
    ("pt", "repression", "O governo decretou o toque de recolher e a suspensão das garantias."),
    ("pt", "repression", "A polícia deteve dezenas de opositores e há manifestantes mortos."),
    ("pt", "repression", "Os estudantes denunciam perseguição política."),
    ("pt", "information_blackout", "As autoridades cortaram as comunicações em toda a província."),
    ("pt", "information_blackout", "O regime expulsou o correspondente e fechou o jornal."),
    ("pt", "information_blackout", "O exército impediu o acesso humanitário à região."),
    ("pt", "targeting", "Os homens armados foram casa a casa à procura dos ndoro."),
    ("pt", "targeting", "Os soldados separaram os homens das mulheres."),
    ("pt", "targeting", "Os passageiros foram perseguidos pela sua etnia no posto de controlo."),
    ("pt", "forced_displacement", "Mais de 30 mil pessoas foram deslocadas pelos combates."),
    ("pt", "forced_displacement", "Milhares de famílias fugiram das suas casas após os ataques."),
    ("pt", "forced_displacement", "Os milicianos arrasaram várias aldeias do vale."),
    ("pt", "detention", "Centenas de pessoas foram detidas em detenções maciças."),
    ("pt", "detention", "O ativista desapareceu depois de ser detido por militares."),
    ("pt", "detention", "Os presos foram enviados para campos de reeducação."),
    ("pt", "siege_starvation", "A cidade cercada pelo exército está sem comida há semanas."),
    ("pt", "siege_starvation", "Os combatentes bloquearam a ajuda humanitária e cortaram a água."),
    ("pt", "siege_starvation", "A ONU denuncia o uso da fome como arma contra a população."),
    ("pt", "sexual_violence", "Dezenas de mulheres foram estupradas por milicianos na aldeia."),
    ("pt", "sexual_violence", "As raparigas foram obrigadas a casar com combatentes."),
    ("pt", "sexual_violence", "O relatório denuncia esterilizações forçadas de mulheres indígenas."),
    ("pt", "mass_killing", "Pelo menos 40 civis morreram no ataque dos homens armados."),
    ("pt", "mass_killing", "Os atacantes incendiaram a aldeia e mataram mulheres e crianças."),
    ("pt", "mass_killing", "Os soldados abriram fogo contra civis que fugiam."),
    ("pt", "genocidal_intent", "Os especialistas alertam para um genocídio contra os ralanis."),
    ("pt", "genocidal_intent", "O comandante jurou aniquilar os ndoro."),
    ("pt", "genocidal_intent", "Os investigadores falam em crimes contra a humanidade."),
    ("pt", "denial_impunity", "O governo negou que tivesse havido um massacre na aldeia."),
    ("pt", "denial_impunity", "As testemunhas foram ameaçadas e ninguém foi condenado."),
    ("pt", "denial_impunity", "Os crimes continuam impunes dez anos depois."),
    ("pt", "trigger", "Militares golpistas depuseram o presidente esta madrugada."),
    ("pt", "trigger", "O cessar-fogo foi rompido e houve novos combates no leste."),
    ("pt", "trigger", "Começou a retirada das forças de paz do país."),
]

HARD_NEGATIVES: list[tuple[str, str, str]] = [
    # (lang, category it is built to fool, text)
    ("en", "mass_killing", "The visitors suffered a massacre in the football league, losing 7-0 at home."),
    ("en", "genocidal_intent", "The exterminator promised to wipe out the termites in the basement."),
    ("en", "information_blackout", "The storm caused a power blackout and internet was restored only on Friday."),
    ("en", "siege_starvation", "Fans of the club showed a siege mentality after the chess final."),
    ("en", "trigger", "Signing the striker was a transfer coup for the club, the coach said."),
    ("en", "repression", "Police announced a crackdown on speeding and parking offences."),
    ("en", "targeting", "Campaign volunteers went door to door canvassing voters before the election."),
    ("en", "forced_displacement", "Thousands of people were displaced by floods after the hurricane."),
    ("en", "dehumanization", "The pest control firm said the rats are vermin and must be trapped."),
    ("en", "detention", "The squad spent a week at a preseason training camp in the mountains."),
    ("en", "mass_killing", "Militiamen stormed the village and killed at least 40 civilians, survivors said."),
    ("es", "mass_killing", "El equipo sufrió una masacre en el torneo de fútbol y perdió 7-0."),
    ("es", "genocidal_intent", "La empresa de control de plagas promete exterminar las termitas."),
    ("es", "information_blackout", "La tormenta provocó un corte de luz y cortaron internet durante horas."),
    ("es", "trigger", "El fichaje del delantero fue un golpe de efecto del club."),
    ("es", "repression", "La policía anunció una ola de multas por exceso de velocidad."),
    ("es", "targeting", "Los vendedores iban de casa en casa ofreciendo seguros."),
    ("es", "forced_displacement", "Miles de personas fueron desplazadas por las inundaciones tras el huracán."),
    ("es", "sexual_violence", "El alto el fuego fue violado por las fuerzas rebeldes."),
    ("es", "sexual_violence", "El informe denuncia violaciones masivas de los derechos humanos."),
    ("es", "denial_impunity", "El Congreso debatió la ley de amnistía para los independentistas del procés."),
    ("pt", "mass_killing", "A equipa sofreu uma chacina no campeonato de futebol e perdeu 7-0."),
    ("pt", "genocidal_intent", "A dedetização promete exterminar os cupins da casa."),
    ("pt", "information_blackout", "A tempestade provocou falta de luz e a internet foi cortada por horas."),
    ("pt", "trigger", "A contratação do avançado foi um golpe de mestre do clube."),
    ("pt", "repression", "A polícia anunciou uma operação contra o excesso de velocidade."),
    ("pt", "targeting", "Os vendedores iam de casa em casa a oferecer seguros."),
    ("pt", "forced_displacement", "Milhares de pessoas foram deslocadas pelas cheias após a tempestade tropical."),
    ("pt", "sexual_violence", "As fronteiras foram violadas pelas forças vizinhas."),
    ("pt", "sexual_violence", "O relatório denuncia violações sistemáticas dos direitos humanos."),
    ("pt", "genocidal_intent", "Os bombeiros querem acabar com as pragas e limpar a zona de ervas daninhas."),
]


@pytest.mark.parametrize(("lang", "category", "text"), POSITIVES)
def test_positive_is_tagged(tagger: Tagger, lang: str, category: str, text: str) -> None:
    assert category in _full(tagger, lang, text)


@pytest.mark.parametrize(("lang", "category", "text"),
                         [n for n in HARD_NEGATIVES if "killed at least 40 civilians" not in n[2]])
def test_hard_negative_is_not_tagged(tagger: Tagger, lang: str, category: str, text: str) -> None:
    assert category not in _full(tagger, lang, text)


def test_storming_a_village_is_not_weather() -> None:
    """"stormed" lemmatises to "storm": the weather negatives must not cancel an attack report."""
    item = next(n for n in HARD_NEGATIVES if "killed at least 40 civilians" in n[2])
    tagger = Tagger.from_config(CONFIG, languages=["en"], use_models=True)
    assert "mass_killing" in _full(tagger, item[0], item[2])


def test_every_category_has_three_positives_per_language() -> None:
    for lang in ("en", "es", "pt"):
        counts: dict[str, int] = {}
        for lg, cat, _ in POSITIVES:
            if lg == lang:
                counts[cat] = counts.get(cat, 0) + 1
        assert len(counts) == 16 and min(counts.values()) >= 3, lang
        assert sum(1 for lg, _, _ in HARD_NEGATIVES if lg == lang) >= 10, lang
