"""Seeded demo data: a realistic roster, disputes and optional files for the IOMed panel matcher.

``write_demo_data`` writes the five input files of the data contract (``mediators.csv``,
``disputes.csv``, ``conflicts.csv``, ``preferences.csv``, ``appointments.csv``) into a folder.
Every random draw comes from one ``numpy.random.default_rng(seed)``, so the same seed, sizes and
reference table give byte-identical files.

What the data looks like:

- Mediators: about 60 % nationals of the Convention's signatories nominated by their own state,
  10 % foreign nationals nominated by a signatory, the rest non-member nationals with no
  nomination; every UN regional group is present. Names come from small per-culture lists,
  languages from the nationality's official languages plus the usual lingua francas of its
  region, expertise from the subject vocabulary with levels that grow with seniority, and the
  profile text uses the same subject phrases as the dispute descriptions (so that text
  similarity means something).
- Disputes: interstate (mostly between neighbours, from a hand-written list of pairs),
  investor-state (investor home state against a mostly signatory host) and commercial.
  Two disputes are deliberately hard: one needs a chair who speaks a language that only party
  nationals speak (infeasible under every nationality rule), and one has exactly one possible
  chair (a planted mediator).
- Conflicts, party preferences (strikes and ranks) and three years of appointment history with a
  small "club" of frequently appointed mediators and a few repeat appointments by one party.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TypeVar

import numpy as np

from matching.core.domain import SUBJECTS, UNGroup
from matching.io.countries import CountryTable, default_countries

Row = dict[str, str]
_T = TypeVar("_T")

MEDIATOR_COLUMNS: tuple[str, ...] = (
    "mediator_id",
    "name",
    "nationalities",
    "gender",
    "languages",
    "legal_traditions",
    "expertise",
    "years_experience",
    "max_cases",
    "active_cases",
    "available",
    "declaration_signed",
    "nominated_by",
    "profile",
)
DISPUTE_COLUMNS: tuple[str, ...] = (
    "dispute_id",
    "title",
    "kind",
    "parties",
    "subject_areas",
    "languages",
    "panel_size",
    "description",
    "nationality_rule",
)
CONFLICT_COLUMNS: tuple[str, ...] = ("mediator_id", "dispute_id", "category", "waived", "note")
PREFERENCE_COLUMNS: tuple[str, ...] = ("dispute_id", "party", "mediator_id", "struck", "rank")
APPOINTMENT_COLUMNS: tuple[str, ...] = ("mediator_id", "dispute_id", "party", "appointed_on")

#: Founding signatories named in public reporting; used only if the reference table marks none.
SIGNATORIES: tuple[str, ...] = (
    "DZA", "BEN", "CMR", "COG", "DJI", "GNQ", "ETH", "GAB", "GNB", "KEN", "MRT", "SDN", "UGA",
    "ZWE", "CHN", "KHM", "IDN", "KIR", "LAO", "NRU", "PAK", "PNG", "SLB", "TLS", "VUT", "BLR",
    "SRB", "CUB", "DMA", "JAM", "NIC", "VEN",
)  # fmt: skip

HISTORY_START = date(2023, 11, 27)
HISTORY_END = date(2026, 11, 26)

_GROUPS: tuple[UNGroup, ...] = tuple(UNGroup)
_TRADITION_ORDER: tuple[str, ...] = ("civil", "common", "customary", "muslim")
_LINGUA: tuple[str, ...] = ("en", "fr", "es", "ar", "ru", "zh", "pt")
_SUBJECT_INDEX: dict[str, int] = {s: i for i, s in enumerate(SUBJECTS)}

# --------------------------------------------------------------------------------------------
# Reference knowledge written for the demo (weights, names, phrases). None of it is real data.
# --------------------------------------------------------------------------------------------

_SIGNATORY_WEIGHTS: dict[str, float] = {
    "CHN": 3.0, "KEN": 2.2, "PAK": 2.2, "IDN": 2.2, "ETH": 1.6, "DZA": 1.6, "SRB": 1.6,
    "CMR": 1.4, "UGA": 1.3, "BLR": 1.3, "CUB": 1.3, "VEN": 1.3, "ZWE": 1.2, "SDN": 1.1,
    "JAM": 1.1, "BEN": 1.0, "COG": 0.9, "GAB": 0.9, "KHM": 0.9, "NIC": 0.9, "PNG": 0.8,
    "MRT": 0.8, "LAO": 0.8, "DJI": 0.6, "GNB": 0.5, "GNQ": 0.5, "TLS": 0.5, "SLB": 0.4,
    "VUT": 0.4, "DMA": 0.35, "KIR": 0.3, "NRU": 0.25,
}  # fmt: skip

_OTHER_WEIGHTS: dict[str, float] = {
    "GBR": 3.0, "FRA": 3.0, "CHE": 3.0, "DEU": 2.0, "NLD": 2.0, "CAN": 2.0, "AUS": 2.0,
    "USA": 2.0, "ESP": 1.5, "ITA": 1.2, "SWE": 1.0, "NOR": 1.0, "BEL": 1.2, "AUT": 1.0,
    "IRL": 1.0, "NZL": 1.0, "PRT": 1.0, "TUR": 1.0, "GRC": 0.6, "DNK": 0.6, "FIN": 0.6,
    "ISR": 0.4, "BRA": 2.0, "MEX": 1.5, "ARG": 1.5, "CHL": 1.5, "COL": 1.0, "PER": 1.0,
    "URY": 0.7, "TTO": 0.5, "ECU": 0.5, "BOL": 0.4, "CRI": 0.5, "ZAF": 2.0, "NGA": 2.0,
    "EGY": 2.0, "MAR": 1.5, "TUN": 1.0, "GHA": 1.0, "SEN": 1.0, "TZA": 1.0, "RWA": 0.7,
    "CIV": 0.7, "MOZ": 0.5, "AGO": 0.5, "ZMB": 0.5, "BWA": 0.5, "MUS": 0.5, "IND": 2.5,
    "SGP": 2.0, "MYS": 1.5, "THA": 1.0, "VNM": 1.0, "PHL": 1.0, "JPN": 1.0, "KOR": 1.0,
    "BGD": 0.7, "LKA": 0.7, "NPL": 0.5, "MNG": 0.3, "KAZ": 1.0, "UZB": 0.5, "QAT": 0.8,
    "ARE": 1.0, "SAU": 1.0, "JOR": 0.7, "LBN": 0.7, "IRN": 0.7, "FJI": 0.5, "RUS": 2.0,
    "POL": 1.0, "CZE": 0.7, "HUN": 0.7, "ROU": 0.7, "UKR": 0.8, "GEO": 0.5, "ARM": 0.5,
    "AZE": 0.5, "HRV": 0.5, "SVN": 0.5, "BGR": 0.5, "SVK": 0.4, "LTU": 0.4, "EST": 0.3,
}  # fmt: skip
_DEFAULT_WEIGHT = 0.12
#: Territories and entities whose nationals would confuse the nationality rules of a demo.
_NO_NATIONALS: frozenset[str] = frozenset({"HKG", "MAC", "TWN", "VAT", "PSE"})
#: Countries that do not allow dual nationality (kept simple for the demo).
_NO_DUAL: frozenset[str] = frozenset({"CHN", "IND", "JPN", "IDN", "SGP", "MYS", "NPL"})
_DUAL_HUBS: tuple[str, ...] = (
    "GBR", "FRA", "CAN", "USA", "CHE", "BEL", "PRT", "ESP", "AUS", "DEU", "NLD",
)  # fmt: skip
_MAGHREB: frozenset[str] = frozenset({"DZA", "MAR", "TUN", "MRT", "LBN"})
_POST_SOVIET: frozenset[str] = frozenset(
    {"RUS", "BLR", "UKR", "KAZ", "UZB", "KGZ", "TJK", "TKM", "ARM", "AZE", "GEO", "MDA", "EST",
     "LVA", "LTU"}
)  # fmt: skip
_WITH_ARTICLE: frozenset[str] = frozenset(
    {"ARE", "BHS", "CAF", "COD", "COG", "COM", "DOM", "GBR", "GMB", "KOR", "LAO", "MDV", "MHL",
     "NLD", "PHL", "PRK", "SLB", "USA", "VAT", "PSE", "CZE"}
)  # fmt: skip
_SHORT_NAMES: dict[str, str] = {
    "LAO": "Lao PDR", "VEN": "Venezuela", "BOL": "Bolivia", "IRN": "Iran", "RUS": "Russia",
    "SYR": "Syria", "TZA": "Tanzania", "COD": "DR Congo", "COG": "Republic of the Congo",
    "PRK": "DPR Korea", "KOR": "Republic of Korea", "MDA": "Moldova", "FSM": "Micronesia",
    "GBR": "United Kingdom", "USA": "United States", "VNM": "Viet Nam", "BRN": "Brunei",
    "NLD": "Netherlands", "PSE": "State of Palestine",
}  # fmt: skip

# Names: culture -> (female first names, male first names, last names, family name first?)
_NAMES: dict[str, tuple[str, str, str, bool]] = {
    "anglo": (
        "Alice Catherine Eleanor Fiona Grace Hannah Helen Joanna Laura Margaret Rachel Sarah Victoria Claire Emily",
        "Andrew Christopher David Edward Geoffrey Henry James Jonathan Martin Michael Patrick "
        "Richard Simon Thomas William",
        "Ashworth Bennett Carter Donnelly Fletcher Gallagher Harrington Hughes Kendall Lawson "
        "Mitchell Norris Pearson Reynolds Sutherland Thornton Walsh Whitfield",
        False,
    ),
    "caribbean": (
        "Andrea Camille Denise Janelle Karen Marcia Nadine Patrice Sharon Simone",
        "Adrian Carlton Desmond Everton Garfield Lennox Marlon Neville Orville Winston",
        "Baptiste Campbell Charles Cornwall Edwards Francis Grant Henry Joseph Lewis Morgan "
        "Pierre Richards Robinson Thomas Williams",
        False,
    ),
    "french": (
        "Anne Camille Claire Élise Hélène Isabelle Juliette Marion Nathalie Sophie Véronique Mathilde",
        "Antoine Benoît Christophe Étienne François Guillaume Laurent Mathieu Nicolas Olivier Philippe Thierry",
        "Arnaud Bertrand Bonnet Chevalier Dubois Fabre Fontaine Garnier Lambert Leclerc Lefèvre "
        "Marchand Mercier Moreau Perrin Rousseau Vasseur",
        False,
    ),
    "german": (
        "Andrea Birgit Claudia Johanna Katharina Monika Sabine Ulrike Franziska Stefanie",
        "Andreas Christian Dieter Florian Jürgen Klaus Markus Matthias Stefan Wolfgang Tobias",
        "Bauer Becker Brandt Fischer Hartmann Hoffmann Keller Krüger Lehmann Neumann Richter "
        "Schäfer Vogel Weber Zimmermann",
        False,
    ),
    "dutch": (
        "Annelies Ingrid Marieke Sanne Femke Liesbeth Anouk Eva",
        "Bart Dirk Jeroen Maarten Pieter Willem Joost Sander",
        "Bakker de_Groot de_Vries Jansen Kramer Mulder van_Dijk van_den_Berg Visser Smit Hendriks",
        False,
    ),
    "nordic": (
        "Astrid Ingrid Karin Liv Maria Sigrid Elin Hanna Kirsten",
        "Anders Erik Henrik Johan Lars Magnus Nils Olav Per Mikael",
        "Andersen Berg Dahl Eriksson Halvorsen Johansson Lindqvist Lund Nielsen Nyström Sandberg Virtanen",
        False,
    ),
    "italian": (
        "Chiara Elena Francesca Giulia Laura Paola Silvia Valentina",
        "Alessandro Andrea Francesco Giorgio Luca Marco Paolo Stefano",
        "Bianchi Colombo Conti Ferrari Galli Greco Lombardi Marino Moretti Ricci Romano Rossi",
        False,
    ),
    "spanish": (
        "Carmen Elena Isabel Lucía María Pilar Teresa Marta",
        "Álvaro Carlos Francisco Javier José Luis Manuel Miguel Pablo",
        "Castillo Delgado Fernández García Herrera Jiménez López Martín Moreno Navarro Ortega Ruiz Serrano Vidal",
        False,
    ),
    "latam": (
        "Adriana Beatriz Carolina Daniela Gabriela Lorena Mariana Patricia Rosa Verónica Ximena Yolanda",
        "Alejandro Andrés Diego Eduardo Fernando Gustavo Jorge Ricardo Rodrigo Sergio Raúl Óscar",
        "Acosta Aguilar Castro Díaz Espinoza Fuentes Gutiérrez Medina Mendoza Morales Pérez "
        "Ramírez Reyes Rojas Salazar Torres Vargas Zamora",
        False,
    ),
    "lusophone": (
        "Ana Beatriz Carla Fernanda Inês Juliana Luísa Mariana Teresa",
        "António Carlos Eduardo João José Luís Miguel Paulo Rui Tiago",
        "Almeida Barbosa Carvalho Costa Ferreira Gomes Lopes Martins Mendes Oliveira Pereira "
        "Ribeiro Santos Silva Sousa",
        False,
    ),
    "greek": (
        "Eleni Katerina Maria Sofia Dimitra Ioanna",
        "Dimitrios Georgios Konstantinos Nikolaos Panagiotis Yannis",
        "Alexiou Christodoulou Dimitriou Georgiou Konstantinou Nikolaidis Papadopoulos Vlachos",
        False,
    ),
    "turkish": (
        "Ayşe Elif Zeynep Selin Deniz Gül Esra Melike",
        "Ahmet Emre Mehmet Murat Serkan Kemal Oğuz Burak",
        "Arslan Aydın Çelik Demir Doğan Kaya Koç Kurt Öztürk Şahin Yıldız Yılmaz",
        False,
    ),
    "hebrew": (
        "Tamar Noa Yael Michal Ruth",
        "Avi David Eitan Yonatan Amir",
        "Levi Cohen Mizrahi Peretz Friedman Shapiro Ben-Ami",
        False,
    ),
    "east_slavic": (
        "Anna Elena Irina Natalia Olga Svetlana Tatiana Yulia Marina",
        "Alexei Andrei Dmitri Igor Mikhail Nikolai Sergei Vladimir Pavel Yuri",
        "Belov Volkov Kuznetsov Morozov Sokolov Orlov Lebedev Kozlov Novikov Zaitsev Kovalenko "
        "Shevchuk Marchuk Savchenko",
        False,
    ),
    "south_slavic": (
        "Ana Jelena Milica Snežana Ivana Maja Dragana Tijana",
        "Aleksandar Dragan Goran Marko Milan Nenad Stefan Zoran Dušan",
        "Jovanović Petrović Nikolić Marković Đorđević Stojanović Ilić Pavlović Kostić Popović Savić Lukić",
        False,
    ),
    "central_european": (
        "Agnieszka Katarzyna Magdalena Katalin Zsófia Eszter Ioana Andreea Mihaela",
        "Piotr Tomasz Krzysztof László Gábor Zoltán Andrei Mihai Radu",
        "Nowak Wójcik Kowalczyk Mazur Nagy Kovács Tóth Szabó Popescu Ionescu Constantin Stoica",
        False,
    ),
    "caucasus": (
        "Nino Tamar Ani Lusine Mariam Anahit",
        "Giorgi Levan David Aram Armen Tigran",
        "Beridze Kapanadze Gelashvili Lomidze Hakobyan Grigoryan Avetisyan Harutyunyan",
        False,
    ),
    "central_asian": (
        "Aigerim Dinara Gulnara Madina Saule Zarina Nodira Leyla",
        "Askar Bakhyt Daniyar Nurlan Rustam Timur Yerlan Azamat",
        "Abdullaev Akhmetov Baimukhanov Ismailov Nurmagambetov Rakhimov Suleimenov Zhakupov Saidov Yusupov Mamedov",
        False,
    ),
    "arab": (
        "Amira Fatima Hala Layla Mariam Nadia Rania Salma Samira Yasmina Huda Leila",
        "Ahmed Karim Khaled Mahmoud Mohamed Mustafa Omar Rachid Samir Tarek Youssef Hassan",
        "Abdelaziz Al-Hashimi Aziz Belkacem Benali Cherif El-Amin Farouk Haddad Hamdan Ibrahim "
        "Kamel Khalil Mansour Nassar Osman Saleh Toumi Zahran",
        False,
    ),
    "somali": (
        "Amina Hodan Fadumo Ifrah Sahra Nimco",
        "Abdirahman Ahmed Ali Hassan Ismail Mohamed Omar Abdi",
        "Abdillahi Aden Dirieh Egueh Farah Houssein Robleh Warsame Youssouf Waberi",
        False,
    ),
    "west_africa_fr": (
        "Aminata Awa Aïssatou Clarisse Estelle Fatou Mariam Rosine Solange Bernadette",
        "Abdoulaye Alphonse Armand Boubacar Didier Emmanuel Ibrahim Jean-Pierre Moussa Serge Théodore",
        "Adjovi Agbodjan Akakpo Bamba Coulibaly Diallo Diop Dossou Houngbo Kaboré Koné Ndiaye "
        "Ouedraogo Sow Traoré Zinsou",
        False,
    ),
    "central_africa": (
        "Clarisse Estelle Rosine Solange Bernadette Pélagie Josiane Prisca Carine",
        "Alphonse Armand Christian Didier Emmanuel Jean-Pierre Serge Théodore Landry Hervé",
        "Essomba Mbarga Mbemba Moukoko Nguema Ondo Obame Mba Ekomi Tchoumi Nkoulou Makaya "
        "Mouanda Ngoma Atangana Fouda Mabiala",
        False,
    ),
    "west_africa_en": (
        "Abena Adaeze Chiamaka Efua Funmilayo Ngozi Yewande Akosua",
        "Chukwuemeka Kwame Kofi Oluwaseun Tunde Emeka Yaw Babatunde Ifeanyi",
        "Adeyemi Okafor Mensah Boateng Owusu Nwosu Okonkwo Adebayo Asante Eze Ogunleye Darko",
        False,
    ),
    "east_africa": (
        "Achieng Agnes Beatrice Esther Faith Grace Joyce Mercy Ruth Wanjiru Nafula Zawadi",
        "Brian David Daniel Emmanuel Francis Isaac John Joseph Moses Peter Samuel Stephen Kiprono Baraka Juma",
        "Kamau Njoroge Ochieng Omondi Kiptoo Wekesa Mugisha Ssewanyana Mutua Odhiambo Kibet "
        "Nsubuga Byaruhanga Kariuki Mushi",
        False,
    ),
    "ethiopian": (
        "Almaz Hanna Meron Selam Tigist Bethlehem Hiwot Mekdes",
        "Abebe Dawit Getachew Haile Mulugeta Tesfaye Yonas Solomon Bereket",
        "Alemu Bekele Demissie Gebremedhin Kebede Mekonnen Tadesse Woldemariam Asfaw Girma Tsegaye",
        False,
    ),
    "southern_africa": (
        "Chipo Nomvula Rudo Thandiwe Nyasha Lindiwe Tsitsi Palesa Naledi",
        "Tafadzwa Tendai Sipho Themba Farai Kudakwashe Thabo Mandla Tatenda",
        "Chikwanha Dube Moyo Ncube Ndlovu Sibanda Mutasa Chirwa Banda Phiri Khumalo Mokoena Mathebula Dlamini",
        False,
    ),
    "chinese": (
        "Fang Hui Jing Lan Meilin Haiyan Xiaohong Yan Ying Yun Qing Min",
        "Bo Gang Hao Jian Jianguo Jun Ming Peng Tao Wei Xiaoming Yong Zhiqiang",
        "Chen Deng Gao Guo He Hu Huang Li Liang Lin Liu Luo Ma Song Sun Wang Wu Xu Yang Zhang Zhao Zheng Zhou Zhu",
        True,
    ),
    "malay": (
        "Dewi Sri Putri Ratna Siti Wulan Ayu Rina Indah Nurul",
        "Agus Bambang Budi Hendra Rizal Teguh Wahyu Arif Dimas Fajar",
        "Santoso Wibowo Hidayat Pratama Saputra Nugroho Kusuma Siregar Hasibuan Halim Rahman Setiawan",
        False,
    ),
    "khmer": (
        "Bopha Chantha Kunthea Sreymom Sophea Sokha Vanna Sothea",
        "Bunthoeun Chanthou Dara Rithy Sambath Sophal Vannak Visal",
        "Chan Chea Heng Keo Kim Meas Pich Sok Sar Phan Ouk Seng",
        True,
    ),
    "lao": (
        "Bounmy Chanthaly Khamla Phonesavanh Souphaphone Vilayvanh",
        "Bounthavy Khamphone Phetsamone Somphone Souksavanh Thongchanh",
        "Phommachanh Sisouk Keomany Vongsa Inthavong Souvannavong Phimmasone Luangrath",
        False,
    ),
    "thai": (
        "Kanya Malee Nattaya Pimchanok Siriporn Wanida Ratana",
        "Anan Chaiwat Somchai Surachai Thanakorn Prasit Wichai",
        "Boonmee Chaiyaporn Kittisak Rattanakorn Srisuk Suwannarat Thongdee Wongsawat",
        False,
    ),
    "vietnamese": (
        "Thu_Hà Ngọc_Anh Thanh_Hương Minh_Châu Lan_Anh Thu_Trang",
        "Minh_Tuấn Quốc_Huy Đức_Anh Thanh_Sơn Văn_Hùng Hoàng_Nam",
        "Nguyễn Trần Lê Phạm Hoàng Vũ Đặng Bùi Đỗ",
        True,
    ),
    "burmese": (
        "Aye_Aye Khin_May Thida Nilar Su_Su",
        "Aung_Min Kyaw_Zin Min_Thu Zaw_Win Htet_Aung",
        "Oo Win Myint Htun Naing Soe",
        False,
    ),
    "south_asian": (
        "Ananya Deepa Kavita Lakshmi Meera Priya Radhika Sunita Anjali Nandini",
        "Arjun Anil Rajesh Sanjay Suresh Vikram Rahul Karthik Pradeep Amit",
        "Bhattacharya Iyer Krishnan Mehta Menon Nair Rao Reddy Sharma Verma Joshi Kulkarni Perera Shrestha",
        False,
    ),
    "south_asian_muslim": (
        "Ayesha Fatima Nazia Rabia Saima Sana Farah Hina Mehreen",
        "Ahmed Ali Bilal Faisal Hassan Imran Kamran Omar Tariq Usman Zafar",
        "Akhtar Baig Chaudhry Chowdhury Hossain Hussain Iqbal Khan Malik Mirza Qureshi Rana Siddiqui Sheikh",
        False,
    ),
    "persian": (
        "Maryam Narges Shirin Leila Parisa Roya",
        "Ali Reza Hossein Mehdi Amir Dariush Kaveh",
        "Ahmadi Hosseini Karimi Moradi Rahimi Tehrani Sadeghi Jafari",
        False,
    ),
    "mongolian": (
        "Oyunchimeg Enkhjargal Sarangerel Nomin Altantsetseg",
        "Bat-Erdene Ganzorig Temuulen Munkhbat Sukhbat",
        "Dorj Ganbaatar Tserendorj Purev Batsukh Namjil",
        False,
    ),
    "japanese": (
        "Akiko Haruka Keiko Naoko Yuko Emi Sachiko",
        "Hiroshi Kenji Takashi Yusuke Daisuke Satoshi Kazuo",
        "Tanaka Suzuki Takahashi Watanabe Ito Yamamoto Nakamura Kobayashi Kato",
        False,
    ),
    "korean": (
        "Ji-yeon Seo-yeon Min-ji Hye-jin Eun-ji Soo-jin",
        "Min-ho Ji-hoon Seung-woo Dong-hyun Jae-won Sung-min",
        "Kim Lee Park Choi Jung Kang Cho Yoon Jang Lim",
        True,
    ),
    "filipino": (
        "Maria Cristina Liza Rowena Josefina Kristine",
        "Jose Ramon Eduardo Antonio Carlo Miguel Paolo",
        "Santos Reyes Cruz Bautista Villanueva Dela_Cruz Mendoza Ramos Tolentino Navarro",
        False,
    ),
    "pacific": (
        "Anna Grace Joanna Lucy Mary Rose Teretia Makerita Losana Miriam",
        "Aaron Benjamin Charles David Ioane Joseph John Peter Samuel Tevita",
        "Tebano Kaiteie Tekee Kepou Kila Maeke Tari Toka Saelea Ruru Naupa Tabe Soalu Iaukiu",
        False,
    ),
}

_CULTURE_OF: dict[str, str] = {}
for _culture, _codes in {
    "anglo": "GBR USA CAN AUS NZL IRL",
    "caribbean": "JAM TTO BRB BHS DMA ATG GRD KNA LCA VCT GUY BLZ",
    "french": "FRA BEL LUX MCO HTI",
    "german": "DEU AUT CHE LIE",
    "dutch": "NLD SUR",
    "nordic": "SWE NOR DNK FIN ISL",
    "italian": "ITA SMR MLT VAT",
    "spanish": "ESP AND",
    "latam": "MEX ARG CHL COL PER URY ECU BOL CRI CUB DOM GTM HND NIC PAN PRY SLV VEN",
    "lusophone": "PRT BRA AGO MOZ CPV GNB STP TLS",
    "greek": "GRC CYP",
    "turkish": "TUR",
    "hebrew": "ISR",
    "east_slavic": "RUS BLR UKR BGR",
    "south_slavic": "SRB HRV BIH MNE MKD SVN ALB",
    "central_european": "POL CZE SVK HUN ROU MDA EST LVA LTU",
    "caucasus": "GEO ARM",
    "central_asian": "KAZ UZB KGZ TKM TJK AZE",
    "arab": "DZA MAR TUN EGY SDN MRT LBY JOR LBN SYR IRQ SAU ARE QAT KWT OMN BHR YEM PSE COM",
    "somali": "DJI SOM",
    "west_africa_fr": "BEN TGO SEN MLI BFA NER CIV GIN MDG",
    "central_africa": "CMR COG GAB GNQ CAF TCD COD BDI",
    "west_africa_en": "NGA GHA SLE LBR GMB",
    "east_africa": "KEN UGA TZA RWA SSD ERI SYC MUS",
    "ethiopian": "ETH",
    "southern_africa": "ZWE ZAF ZMB MWI BWA NAM LSO SWZ",
    "chinese": "CHN HKG MAC TWN SGP",
    "malay": "IDN MYS BRN",
    "khmer": "KHM",
    "lao": "LAO",
    "thai": "THA",
    "vietnamese": "VNM",
    "burmese": "MMR",
    "south_asian": "IND NPL LKA BTN MDV",
    "south_asian_muslim": "PAK BGD AFG",
    "persian": "IRN",
    "mongolian": "MNG",
    "japanese": "JPN",
    "korean": "KOR PRK",
    "filipino": "PHL",
    "pacific": "KIR NRU PNG SLB VUT FJI WSM TON TUV FSM MHL PLW",
}.items():
    for _code in _codes.split():
        _CULTURE_OF[_code] = _culture
_GROUP_CULTURE: dict[UNGroup, str] = {
    UNGroup.AFRICAN: "east_africa",
    UNGroup.ASIA_PACIFIC: "south_asian",
    UNGroup.EASTERN_EUROPEAN: "south_slavic",
    UNGroup.LATIN_AMERICAN_CARIBBEAN: "latam",
    UNGroup.WESTERN_EUROPEAN_OTHERS: "anglo",
}

# Subject phrases shared by mediator profiles and dispute descriptions.
_PHRASES: dict[str, tuple[str, ...]] = {
    "trade": (
        "WTO dispute settlement",
        "anti-dumping and countervailing duties",
        "regional trade agreement disputes",
        "customs valuation and rules of origin",
        "sanitary and phytosanitary import measures",
    ),
    "transit": (
        "transit rights of landlocked states",
        "cross-border rail and road transit corridors",
        "port access and transit fees",
        "pipeline transit arrangements",
        "border crossing and customs transit regimes",
    ),
    "water": (
        "transboundary watercourse allocation",
        "dam operation and downstream flow agreements",
        "shared aquifer management",
        "river basin commissions and joint monitoring",
        "hydropower and irrigation water sharing",
    ),
    "energy": (
        "oil and gas production sharing contracts",
        "cross-border electricity interconnection and power trade",
        "renewable energy tariff disputes",
        "LNG supply and price review",
        "hydropower concession agreements",
    ),
    "boundary": (
        "land boundary delimitation and demarcation",
        "colonial-era boundary treaties and maps",
        "uti possidetis and title to territory",
        "border incidents and cross-border communities",
        "joint boundary commission proceedings",
    ),
    "maritime": (
        "continental shelf delimitation",
        "fisheries access",
        "exclusive economic zone boundaries",
        "UNCLOS dispute settlement",
        "offshore hydrocarbon joint development zones",
    ),
    "investment": (
        "bilateral investment treaty claims",
        "expropriation and fair and equitable treatment",
        "ICSID arbitration and conciliation",
        "investment contract renegotiation",
        "stabilisation clauses and umbrella clauses",
    ),
    "environment": (
        "transboundary pollution",
        "environmental impact assessment obligations",
        "climate change adaptation finance",
        "biodiversity and protected areas",
        "mining tailings and environmental damage",
    ),
    "construction": (
        "FIDIC construction contracts",
        "infrastructure delay and disruption claims",
        "public-private partnership projects",
        "road, railway and port construction",
        "variation and defects claims",
    ),
    "technology": (
        "telecommunications licensing",
        "data localisation and cross-border data flows",
        "intellectual property and technology transfer licensing",
        "undersea cable and digital infrastructure projects",
        "satellite orbit and spectrum allocation",
    ),
    "finance": (
        "sovereign debt restructuring",
        "development bank loan agreements",
        "currency swap and central bank arrangements",
        "project finance and security packages",
        "banking regulation and deposit guarantees",
    ),
    "human_rights": (
        "diplomatic protection and treatment of foreign nationals",
        "labour rights of migrant workers",
        "indigenous peoples' land rights",
        "displacement and resettlement",
        "minority rights and non-discrimination",
    ),
}
_SUBJECT_LABEL: dict[str, str] = {
    "trade": "international trade",
    "transit": "transit",
    "water": "international water",
    "energy": "energy",
    "boundary": "boundary",
    "maritime": "law of the sea",
    "investment": "investment",
    "environment": "international environmental",
    "construction": "construction",
    "technology": "technology",
    "finance": "international finance",
    "human_rights": "human rights",
}
_SUBJECT_WEIGHTS = np.array([1.2, 0.7, 0.8, 1.0, 0.8, 0.9, 1.4, 1.0, 0.9, 0.6, 0.9, 0.8])
_RELATED: dict[str, tuple[str, ...]] = {
    "trade": ("transit", "finance", "investment"),
    "transit": ("trade", "construction", "energy"),
    "water": ("environment", "energy", "boundary"),
    "energy": ("investment", "environment", "construction"),
    "boundary": ("maritime", "human_rights", "water"),
    "maritime": ("boundary", "energy", "environment"),
    "investment": ("energy", "construction", "finance"),
    "environment": ("water", "human_rights", "energy"),
    "construction": ("finance", "investment", "transit"),
    "technology": ("investment", "trade", "finance"),
    "finance": ("investment", "construction", "trade"),
    "human_rights": ("boundary", "environment", "trade"),
}

_SENIOR_ROLES: tuple[str, ...] = (
    "Former judge of the Supreme Court of {country}",
    "Former ambassador of {country}",
    "Professor of international law",
    "Former legal adviser to the Ministry of Foreign Affairs of {country}",
    "Independent arbitrator and mediator",
    "Senior counsel and arbitrator",
    "Former deputy registrar of an international court",
    "Partner in an international disputes practice",
    "Former Deputy Attorney-General of {country}",
    "Professor of economic law",
)
_JUNIOR_ROLES: tuple[str, ...] = (
    "Counsel in an international disputes practice",
    "Lecturer in international law",
    "Legal officer at the Ministry of Foreign Affairs of {country}",
    "Independent mediator",
    "Associate professor of public international law",
    "Legal adviser to a regional economic community",
)
_AREA_ROLES: dict[str, tuple[str, ...]] = {
    "trade": ("Former trade negotiator for {country}", "Former member of a trade remedies panel"),
    "transit": ("Former director of a regional transport corridor authority",),
    "water": ("Former director of a river basin organisation", "Hydrologist turned mediator"),
    "energy": ("Former general counsel of a national energy company",),
    "boundary": ("Former chief negotiator for {country} in boundary talks",),
    "maritime": ("Former head of the law of the sea unit of {country}",),
    "investment": ("Former head of investment treaty negotiations for {country}",),
    "environment": ("Former environmental law commissioner",),
    "construction": ("Chartered engineer and dispute board member",),
    "technology": ("Former telecommunications regulator in {country}",),
    "finance": ("Former senior official of a regional development bank",),
    "human_rights": ("Former member of a regional human rights commission",),
}
_PROFILE_VERBS: tuple[str, ...] = (
    "Has mediated disputes on",
    "Sat as arbitrator in cases on",
    "Advised governments on",
    "Teaches and publishes on",
    "Led negotiations on",
    "Has acted as conciliator on",
)
_PROFILE_EXTRAS: tuple[str, ...] = (
    "Listed on several institutional panels of arbitrators and conciliators.",
    "Previously served as a judge of the High Court.",
    "Former ambassador and chief negotiator.",
    "Trained in mediation and facilitated negotiation.",
    "Author of a leading textbook on treaty interpretation.",
    "Has chaired panels of three and five members.",
    "Experienced in multilingual proceedings.",
)

# Interstate pairs (first state upstream / landlocked where it matters) and typical subjects.
_PAIRS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("ETH", "SDN", ("water", "boundary", "trade")),
    ("ETH", "DJI", ("transit", "trade", "water")),
    ("ETH", "KEN", ("water", "boundary", "energy")),
    ("UGA", "KEN", ("transit", "trade", "boundary")),
    ("UGA", "SDN", ("trade", "human_rights")),
    ("UGA", "TZA", ("water", "energy", "transit")),
    ("UGA", "COD", ("boundary", "energy", "environment")),
    ("RWA", "UGA", ("trade", "transit")),
    ("KEN", "TZA", ("trade", "maritime", "environment")),
    ("ZWE", "MOZ", ("transit", "energy", "water")),
    ("ZWE", "ZMB", ("water", "energy")),
    ("ZWE", "ZAF", ("trade", "energy", "human_rights")),
    ("ZWE", "BWA", ("water", "trade")),
    ("CMR", "NGA", ("trade", "maritime", "energy")),
    ("CMR", "GAB", ("boundary", "trade")),
    ("CAF", "CMR", ("transit", "trade")),
    ("TCD", "CMR", ("transit", "energy")),
    ("GNQ", "GAB", ("maritime", "boundary", "energy")),
    ("COG", "GAB", ("boundary", "environment")),
    ("COG", "COD", ("water", "transit", "energy")),
    ("NER", "BEN", ("transit", "trade")),
    ("BEN", "NGA", ("trade", "transit", "energy")),
    ("BEN", "TGO", ("maritime", "trade")),
    ("MLI", "MRT", ("water", "transit", "boundary")),
    ("MRT", "SEN", ("water", "maritime", "energy")),
    ("GNB", "SEN", ("maritime", "energy", "boundary")),
    ("GNB", "GIN", ("boundary", "maritime")),
    ("DZA", "TUN", ("energy", "trade", "water")),
    ("DZA", "NER", ("transit", "boundary")),
    ("SSD", "SDN", ("boundary", "energy", "transit")),
    ("EGY", "SDN", ("water", "boundary")),
    ("LAO", "THA", ("water", "energy", "transit")),
    ("LAO", "VNM", ("transit", "water")),
    ("LAO", "KHM", ("water", "environment")),
    ("KHM", "THA", ("boundary", "trade")),
    ("KHM", "VNM", ("water", "maritime")),
    ("CHN", "LAO", ("transit", "finance", "construction")),
    ("CHN", "PAK", ("transit", "energy", "finance")),
    ("CHN", "KAZ", ("water", "trade")),
    ("CHN", "VNM", ("maritime", "trade")),
    ("AFG", "PAK", ("transit", "trade", "water")),
    ("IDN", "MYS", ("maritime", "boundary", "human_rights")),
    ("IDN", "TLS", ("boundary", "maritime")),
    ("PNG", "IDN", ("boundary", "human_rights")),
    ("PNG", "SLB", ("maritime", "environment")),
    ("SLB", "VUT", ("maritime", "environment")),
    ("VUT", "FJI", ("maritime", "trade")),
    ("KIR", "NRU", ("maritime", "environment")),
    ("KIR", "MHL", ("maritime", "environment")),
    ("NRU", "AUS", ("human_rights", "finance")),
    ("SRB", "HRV", ("boundary", "water")),
    ("SRB", "BIH", ("water", "energy", "human_rights")),
    ("SRB", "HUN", ("transit", "energy")),
    ("SRB", "MKD", ("trade", "transit")),
    ("BLR", "RUS", ("trade", "energy", "finance")),
    ("BLR", "LTU", ("environment", "transit", "energy")),
    ("BLR", "POL", ("transit", "trade")),
    ("CUB", "MEX", ("maritime", "trade")),
    ("VEN", "COL", ("transit", "trade", "human_rights")),
    ("VEN", "TTO", ("energy", "maritime")),
    ("NIC", "CRI", ("boundary", "environment", "water")),
    ("NIC", "HND", ("maritime", "boundary")),
    ("JAM", "HND", ("maritime", "trade")),
    ("DMA", "FRA", ("maritime", "environment")),
)

# Interstate scenarios per subject: (title, opening sentence, indices into _PHRASES[subject],
# needs a common border). {A} is the upstream / landlocked / acting state where that matters.
_Scenario = tuple[str, str, tuple[int, int], bool]
_INTERSTATE: dict[str, tuple[_Scenario, ...]] = {
    "trade": (
        (
            "import restrictions and safeguard duties",
            "{B} says that import restrictions and safeguard duties imposed by {A} breach their "
            "regional trade agreement.",
            (1, 2),
            False,
        ),
        (
            "border measures on agricultural goods",
            "{A} has blocked imports of agricultural goods from {B}, citing plant health risks.",
            (4, 2),
            False,
        ),
        (
            "rules of origin under a trade agreement",
            "{A} and {B} disagree on the rules of origin and customs valuation applied to goods "
            "traded under their free trade agreement.",
            (3, 0),
            False,
        ),
    ),
    "transit": (
        (
            "transit corridor and port fees",
            "{A}, which relies on routes through {B} to reach the sea, says that transit cargo is "
            "delayed at the border and that port fees were raised without consultation.",
            (0, 2),
            True,
        ),
        (
            "rail and road transit arrangements",
            "{A} and {B} disagree on the operation of the cross-border rail and road corridor "
            "they agreed to build and run together.",
            (1, 4),
            True,
        ),
        (
            "pipeline transit tariffs",
            "{A} and {B} disagree on the transit tariff and volumes of a pipeline crossing their territory.",
            (3, 0),
            True,
        ),
    ),
    "water": (
        (
            "shared watercourse allocation",
            "{A} and {B} share a river basin and disagree over the allocation of dry-season flows.",
            (0, 3),
            True,
        ),
        (
            "dam operation and downstream flows",
            "{B}, the downstream state, says that the filling and operation of a new dam in {A} "
            "has reduced downstream flows and harmed irrigation.",
            (1, 4),
            True,
        ),
        (
            "shared aquifer",
            "{A} and {B} disagree over abstraction from an aquifer that lies beneath their border.",
            (2, 3),
            True,
        ),
    ),
    "energy": (
        (
            "cross-border power supply",
            "{A} and {B} disagree over tariffs and volumes under a cross-border electricity supply agreement.",
            (1, 2),
            True,
        ),
        (
            "oil and gas revenue sharing",
            "{A} and {B} disagree over the sharing of revenue from an oil and gas field that straddles their border.",
            (0, 3),
            True,
        ),
        (
            "gas supply price review",
            "{A} and {B} disagree over the price review clause of a long-term gas supply agreement "
            "between their national companies.",
            (3, 0),
            False,
        ),
    ),
    "boundary": (
        (
            "land boundary demarcation",
            "{A} and {B} disagree over the course of a section of their land boundary that was never demarcated.",
            (0, 4),
            True,
        ),
        (
            "boundary treaty maps",
            "{A} and {B} rely on different maps annexed to a colonial-era boundary treaty.",
            (1, 2),
            True,
        ),
        (
            "border villages",
            "Incidents in villages on both sides of the border between {A} and {B} have raised "
            "the question of where the boundary runs and how border communities are treated.",
            (3, 0),
            True,
        ),
    ),
    "maritime": (
        (
            "maritime boundary",
            "{A} and {B} have overlapping claims to the exclusive economic zone and continental "
            "shelf between their coasts.",
            (2, 0),
            True,
        ),
        (
            "fisheries access",
            "Fishing vessels from {B} have been detained in waters that {A} regards as its own.",
            (1, 3),
            True,
        ),
        (
            "offshore exploration blocks",
            "{A} and {B} have both awarded oil and gas exploration blocks in an area of overlapping maritime claims.",
            (4, 0),
            True,
        ),
    ),
    "investment": (
        (
            "interpretation of a bilateral investment treaty",
            "{A} and {B} disagree on the interpretation of their bilateral investment treaty "
            "after claims brought by investors of {B}.",
            (0, 1),
            False,
        ),
    ),
    "environment": (
        (
            "transboundary pollution",
            "{B} says that mining and industrial activity in {A} has caused transboundary pollution of a shared river.",
            (0, 4),
            True,
        ),
        (
            "environmental impact of a border project",
            "{B} says that {A} did not carry out an environmental impact assessment before "
            "starting a large project near their common border.",
            (1, 3),
            True,
        ),
        (
            "climate adaptation finance",
            "{A} and {B} disagree on the sharing of climate adaptation finance under a joint "
            "coastal protection programme.",
            (2, 3),
            False,
        ),
    ),
    "construction": (
        (
            "cross-border bridge and road project",
            "{A} and {B} jointly financed a cross-border bridge and road project that is years "
            "behind schedule and over budget.",
            (1, 3),
            True,
        ),
        (
            "jointly financed port project",
            "{A} and {B} disagree on cost overruns of a port and railway project that they "
            "financed together as a public-private partnership.",
            (2, 1),
            False,
        ),
    ),
    "technology": (
        (
            "undersea cable and data flows",
            "{A} and {B} disagree over capacity and costs of a shared undersea cable and over cross-border data flows.",
            (3, 1),
            False,
        ),
        (
            "spectrum coordination",
            "{A} and {B} disagree on the coordination of radio spectrum and satellite services.",
            (4, 0),
            False,
        ),
    ),
    "finance": (
        (
            "loan restructuring",
            "{A} cannot service loans extended under a development finance agreement with {B} "
            "and seeks a restructuring.",
            (0, 1),
            False,
        ),
        (
            "currency swap arrangement",
            "{A} and {B} disagree on the drawing conditions of a bilateral currency swap "
            "arrangement between their central banks.",
            (2, 4),
            False,
        ),
    ),
    "human_rights": (
        (
            "treatment of migrant workers",
            "{B} says that its nationals working in {A} are denied wages and consular access.",
            (1, 0),
            False,
        ),
        (
            "displaced border communities",
            "{A} and {B} disagree on the return and resettlement of communities displaced near their border.",
            (3, 4),
            True,
        ),
    ),
}
#: Investor-state: second subject -> (title topic, sentence). "investment" is the default.
_INVESTOR: dict[str, tuple[str, str]] = {
    "investment": (
        "licence cancellation and expropriation",
        "The investor claims that new legislation and the cancellation of its licence amount to "
        "expropriation and breach fair and equitable treatment under the bilateral investment "
        "treaty.",
    ),
    "energy": (
        "unpaid power purchase tariffs",
        "The investor claims unpaid tariffs under a power purchase agreement with the state utility.",
    ),
    "construction": (
        "defective works and delay costs",
        "The state says the works are defective; the investor claims delay costs and the "
        "release of its performance guarantee.",
    ),
    "technology": (
        "spectrum withdrawal and data localisation",
        "The regulator withdrew spectrum and imposed data localisation requirements.",
    ),
    "finance": (
        "currency controls and profit repatriation",
        "Currency controls prevented the repatriation of profits and loan repayments.",
    ),
    "water": (
        "reduced water allocation",
        "A new water law reduced the flows allocated to the concession.",
    ),
    "environment": (
        "suspension after environmental review",
        "The state suspended the project after its environmental impact assessment was challenged.",
    ),
    "trade": (
        "export ban and customs duties",
        "Export bans and new customs duties cut the project's revenue.",
    ),
    "human_rights": (
        "resettlement of affected communities",
        "The host state cites the resettlement of communities affected by the project.",
    ),
}
_SECTORS: dict[str, tuple[str, ...]] = {
    "energy": ("power plant", "oil and gas", "solar farm"),
    "technology": ("mobile telecommunications", "data centre"),
    "construction": ("toll road", "port terminal", "railway"),
    "finance": ("banking", "microfinance"),
    "water": ("hydropower", "water utility"),
    "environment": ("mining", "forestry"),
    "trade": ("agribusiness", "cement"),
    "human_rights": ("plantation", "mining"),
    "investment": ("mining", "agribusiness", "port", "real estate", "telecommunications"),
}
#: Commercial: primary subject -> (state entities, foreign firm, contract, title topic, sentence).
_COMMERCIAL: dict[str, tuple[tuple[str, ...], str, str, str, str]] = {
    "construction": (
        ("ministry of public works", "ports authority", "national roads authority"),
        "construction company",
        "a FIDIC construction contract",
        "construction contract claims",
        "The contractor claims payment for variations and delay; the employer claims for defects.",
    ),
    "trade": (
        ("state trading corporation", "state-owned mining company"),
        "commodity trading house",
        "a long-term sale of goods contract",
        "rejected shipments and withheld payment",
        "The buyer rejected shipments as non-conforming and withheld payment.",
    ),
    "energy": (
        ("state-owned power utility", "national oil company"),
        "energy company",
        "a long-term supply contract",
        "price review of a supply contract",
        "The parties disagree on the price review clause of the contract.",
    ),
    "technology": (
        ("national telecommunications operator", "national data agency"),
        "technology company",
        "a licence and services agreement",
        "licence fees and source code",
        "The dispute concerns licence fees and the transfer of source code.",
    ),
    "finance": (
        ("state development bank", "ministry of finance"),
        "commercial bank",
        "a syndicated loan agreement",
        "loan acceleration and guarantee",
        "The lender accelerated the loan after a missed payment and called the guarantee.",
    ),
}
_CLOSINGS: dict[str, tuple[str, ...]] = {
    "interstate": (
        "Both states have agreed to try mediation before any recourse to adjudication.",
        "The parties want a settlement that preserves good relations between them.",
    ),
    "investor_state": (
        "The parties have agreed to attempt mediation before ICSID arbitration.",
        "The investor wants the project to continue if terms can be renegotiated.",
    ),
    "commercial": (
        "The contract provides for mediation before arbitration.",
        "Both companies want to keep working together on the project.",
    ),
}
_INVESTOR_HOMES: tuple[tuple[str, float], ...] = (
    ("CHN", 7.0), ("GBR", 1.2), ("FRA", 1.2), ("DEU", 1.0), ("NLD", 1.0), ("CHE", 0.8),
    ("USA", 1.0), ("CAN", 0.8), ("ESP", 0.5), ("ITA", 0.5), ("AUS", 0.5), ("JPN", 0.5),
    ("KOR", 0.5), ("ARE", 1.2), ("SAU", 0.8), ("QAT", 0.6), ("KWT", 0.4), ("TUR", 0.6),
    ("IND", 0.6), ("ZAF", 0.5), ("RUS", 0.4), ("MYS", 0.4), ("SGP", 0.5), ("BRA", 0.3),
)  # fmt: skip
_CONTRACTOR_STATES: tuple[str, ...] = (
    "CHN", "CHN", "TUR", "KOR", "FRA", "DEU", "ITA", "ESP", "IND", "EGY", "ZAF", "ARE", "BRA",
    "JPN", "GBR", "NLD", "MAR", "SGP",
)  # fmt: skip

_CONFLICT_NOTES: dict[str, tuple[str, ...]] = {
    "non_waivable_red": (
        "serves as legal adviser to the Ministry of Foreign Affairs of {party}",
        "acted as counsel for {party} in this dispute in {year}",
        "holds a significant shareholding in a company controlled by {party}",
        "sits on the board of a state-owned company of {party} that is concerned",
    ),
    "waivable_red": (
        "advised {party} on the subject matter of the dispute in {year}",
        "a close family member is a partner in the law firm representing {party}",
        "held a senior post in the government of {party} until {year}",
        "has a close personal relationship with counsel for {party}",
    ),
    "orange": (
        "served as counsel to {party} in an unrelated matter in {year}",
        "same chambers as counsel for {party}",
        "appointed twice by {party} in the past three years",
        "published an article on the dispute's subject expressing a view on the treaty at issue",
        "sat as co-arbitrator with counsel for {party} in {year}",
    ),
    "green": (
        "published a general article on {subject} law",
        "member of the same professional association as counsel for {party}",
        "spoke at a conference organised by a university in {party}",
        "taught a course attended by a junior member of {party}'s legal team",
    ),
}
_CONFLICT_P = np.array([0.15, 0.25, 0.4, 0.2])  # order of _CONFLICT_NOTES

#: Rare-language scenarios: (state, its language, other party). Used for the infeasible dispute.
_RARE_LANGUAGE: tuple[tuple[str, str, str], ...] = (
    ("MNG", "mn", "CHN"),
    ("LAO", "lo", "VNM"),
    ("MMR", "my", "THA"),
    ("ARM", "hy", "AZE"),
    ("GEO", "ka", "RUS"),
)
#: The tight dispute: (party, party, rare working language, nationality of the one chair).
_TIGHT: tuple[str, str, str, str] = ("KHM", "LAO", "km", "THA")


def _pick(seq: Sequence[_T], u: float) -> _T:
    """Deterministic choice from a sequence with a uniform draw in [0, 1)."""
    return seq[min(int(u * len(seq)), len(seq) - 1)]


def _id(prefix: str, i: int, total: int, width: int) -> str:
    return f"{prefix}{i + 1:0{max(width, len(str(total)))}d}"


def _bool(value: bool | np.bool_) -> str:
    return "true" if value else "false"


# --------------------------------------------------------------------------------------------
# The world: per-country arrays derived from the reference table.
# --------------------------------------------------------------------------------------------


@dataclass
class _World:
    table: CountryTable
    isos: list[str]
    index: dict[str, int]
    group: np.ndarray  # index into _GROUPS
    signatory: np.ndarray  # bool
    weight: np.ndarray  # nationality weight (before the signatory split)
    langs: list[tuple[str, ...]]  # official languages present in languages.csv
    traditions: list[tuple[str, ...]]
    culture: list[str]
    lingua_p: np.ndarray  # countries x _LINGUA probabilities of speaking it
    short: list[str]

    def name(self, iso: str) -> str:
        """Short name, as in a title ("United Kingdom")."""
        return self.short[self.index[iso]]

    def text_name(self, iso: str) -> str:
        """Short name inside a sentence ("the United Kingdom")."""
        short = self.short[self.index[iso]]
        return f"the {short}" if iso in _WITH_ARTICLE else short

    def has(self, *isos: str) -> bool:
        return all(i in self.index for i in isos)


def _lingua_probabilities(
    iso: str,
    group: UNGroup,
    langs: tuple[str, ...],
    traditions: tuple[str, ...],
    blocs: frozenset[str],
) -> list[float]:
    p = {code: 0.0 for code in _LINGUA}
    p["en"] = {
        UNGroup.AFRICAN: 0.7,
        UNGroup.ASIA_PACIFIC: 0.85,
        UNGroup.EASTERN_EUROPEAN: 0.7,
        UNGroup.LATIN_AMERICAN_CARIBBEAN: 0.65,
        UNGroup.WESTERN_EUROPEAN_OTHERS: 0.92,
    }[group]
    if "common" in traditions:
        p["en"] = 0.97
    if iso in _MAGHREB:
        p["fr"] = 0.85
    elif group == UNGroup.AFRICAN:
        p["fr"] = 0.12
    elif group == UNGroup.WESTERN_EUROPEAN_OTHERS:
        p["fr"] = 0.3
    else:
        p["fr"] = 0.05
    p["es"] = {
        UNGroup.LATIN_AMERICAN_CARIBBEAN: 0.25,
        UNGroup.WESTERN_EUROPEAN_OTHERS: 0.15,
    }.get(group, 0.03)
    if iso == "BRA":
        p["es"] = 0.4
    if "muslim" in traditions and group in (UNGroup.AFRICAN, UNGroup.ASIA_PACIFIC):
        p["ar"] = 0.4 if group == UNGroup.AFRICAN else 0.2
    else:
        p["ar"] = 0.04 if group == UNGroup.WESTERN_EUROPEAN_OTHERS else 0.02
    if iso in _POST_SOVIET or "CIS" in blocs:
        p["ru"] = 0.9
    elif iso == "MNG":
        p["ru"] = 0.5
    elif group == UNGroup.EASTERN_EUROPEAN:
        p["ru"] = 0.3
    elif iso == "CUB":
        p["ru"] = 0.15
    elif iso in ("VNM", "LAO", "CHN"):
        p["ru"] = 0.06
    else:
        p["ru"] = 0.02
    if iso == "MYS":
        p["zh"] = 0.3
    elif group == UNGroup.ASIA_PACIFIC:
        p["zh"] = 0.07
    else:
        p["zh"] = 0.015
    p["pt"] = {
        UNGroup.LATIN_AMERICAN_CARIBBEAN: 0.06,
        UNGroup.WESTERN_EUROPEAN_OTHERS: 0.05,
        UNGroup.AFRICAN: 0.04,
    }.get(group, 0.01)
    for code in langs:
        if code in p:
            p[code] = 1.0
    return [p[code] for code in _LINGUA]


def _build_world(table: CountryTable) -> _World:
    isos = sorted(table.countries)
    index = {iso: i for i, iso in enumerate(isos)}
    marked = {iso for iso, c in table.countries.items() if c.iomed_signatory}
    if not marked:
        marked = {iso for iso in SIGNATORIES if iso in table.countries}
    group = np.array([_GROUPS.index(table[iso].un_group) for iso in isos], dtype=np.int64)
    signatory = np.array([iso in marked for iso in isos], dtype=bool)
    weight = np.array(
        [
            0.0
            if iso in _NO_NATIONALS
            else (_SIGNATORY_WEIGHTS.get(iso, 0.5) if iso in marked else _OTHER_WEIGHTS.get(iso, _DEFAULT_WEIGHT))
            for iso in isos
        ]
    )
    langs: list[tuple[str, ...]] = []
    traditions: list[tuple[str, ...]] = []
    culture: list[str] = []
    lingua: list[list[float]] = []
    short: list[str] = []
    for iso in isos:
        c = table[iso]
        own = tuple(code for code in c.languages if table.is_language(code))
        langs.append(own)
        trad = tuple(t for t in _TRADITION_ORDER if t in {str(x) for x in c.legal_traditions})
        traditions.append(trad)
        culture.append(_CULTURE_OF.get(iso) or _fallback_culture(c.un_group, own, iso))
        lingua.append(_lingua_probabilities(iso, c.un_group, own, trad, c.blocs))
        short.append(_SHORT_NAMES.get(iso) or re.sub(r"\s*\(.*\)", "", c.name))
    return _World(
        table=table,
        isos=isos,
        index=index,
        group=group,
        signatory=signatory,
        weight=weight,
        langs=langs,
        traditions=traditions,
        culture=culture,
        lingua_p=np.array(lingua),
        short=short,
    )


def _fallback_culture(group: UNGroup, langs: tuple[str, ...], iso: str) -> str:
    first = langs[0] if langs else ""
    if first == "ar":
        return "arab"
    if first == "es":
        return "latam"
    if first == "pt":
        return "lusophone"
    if first == "ru":
        return "east_slavic"
    if first == "zh":
        return "chinese"
    if first == "fr":
        return "west_africa_fr" if group == UNGroup.AFRICAN else "french"
    return _GROUP_CULTURE[group]


# --------------------------------------------------------------------------------------------
# Mediators
# --------------------------------------------------------------------------------------------


@dataclass
class _Roster:
    rows: list[Row]
    nat0: np.ndarray  # country index of the effective nationality
    nat1: np.ndarray  # country index of the second nationality, -1 if none
    expertise: np.ndarray  # mediators x subjects, levels 0..5
    years: np.ndarray
    eligible: np.ndarray  # available, declaration signed, capacity left
    speaks: dict[str, np.ndarray]
    planted: int  # index of the planted rare-language chair, -1 if none


def _make_name(culture: str, female: bool, u: np.ndarray) -> str:
    f_names, m_names, last_names, family_first = _NAMES[culture]
    first = _pick(tuple((f_names if female else m_names).split()), float(u[0]))
    last = _pick(tuple(last_names.split()), float(u[1]))
    first, last = first.replace("_", " "), last.replace("_", " ")
    if culture in ("east_slavic", "central_asian") and female and last.endswith(("ov", "ev", "in")):
        last += "a"
    return f"{last} {first}" if family_first else f"{first} {last}"


def _mediators(world: _World, rng: np.random.Generator, n: int) -> _Roster:
    sig_idx = np.flatnonzero(world.signatory & (world.weight > 0))
    oth_idx = np.flatnonzero(~world.signatory & (world.weight > 0))
    seniority = rng.beta(2.0, 2.0, n)

    # Nationality and nomination: 0 signatory national, 1 other nominated by a signatory, 2 none.
    category = rng.choice(3, size=n, p=[0.6, 0.1, 0.3])
    if len(sig_idx) == 0:
        category[:] = 2
    nat0 = np.empty(n, dtype=np.int64)
    is_sig = category == 0
    w_sig = world.weight[sig_idx] / world.weight[sig_idx].sum() if len(sig_idx) else None
    w_oth = world.weight[oth_idx] / world.weight[oth_idx].sum()
    if is_sig.any() and w_sig is not None:
        nat0[is_sig] = rng.choice(sig_idx, size=int(is_sig.sum()), p=w_sig)
    nat0[~is_sig] = rng.choice(oth_idx, size=int((~is_sig).sum()), p=w_oth)

    # The planted chair of the tight dispute: the only non-party speaker of its language.
    planted = -1
    party_a, party_b, rare_lang, chair_nat = _TIGHT
    if (
        n >= 50
        and world.has(party_a, party_b, chair_nat)
        and world.table.is_language(rare_lang)
        and _only_spoken_by(world, rare_lang, {party_a, party_b})
    ):
        planted = int(rng.integers(n))
        nat0[planted] = world.index[chair_nat]
        category[planted] = 2

    # Every UN regional group among the effective nationalities.
    if n >= 2 * len(_GROUPS):
        slots = [int(k) for k in rng.permutation(n) if k != planted]
        used = 0
        for g in range(len(_GROUPS)):
            if (world.group[nat0] == g).any():
                continue
            members = np.flatnonzero((world.group == g) & (world.weight > 0))
            if len(members) == 0:
                continue
            while used < len(slots) - 1 and world.group[nat0[slots[used]]] in _rare_groups(world, nat0):
                used += 1
            best = int(members[np.argmax(world.weight[members])])
            nat0[slots[used]] = best
            if world.signatory[best]:
                category[slots[used]] = 0
            elif category[slots[used]] == 0:
                category[slots[used]] = 2
            used += 1

    # Dual nationality.
    dual_draw = rng.random(n)
    nat1 = np.full(n, -1, dtype=np.int64)
    hub_idx = [world.index[h] for h in _DUAL_HUBS if h in world.index]
    u_dual = rng.random((n, 2))
    for i in np.flatnonzero(dual_draw < 0.1).tolist():
        iso = world.isos[nat0[i]]
        if iso in _NO_DUAL or i == planted:
            continue
        if u_dual[i, 0] < 0.5 and hub_idx:
            own_langs = set(world.langs[nat0[i]])
            sharing = [h for h in hub_idx if own_langs & set(world.langs[h])] or hub_idx
            second = sharing[min(int(u_dual[i, 1] * len(sharing)), len(sharing) - 1)]
        else:
            same = np.flatnonzero((world.group == world.group[nat0[i]]) & (world.weight > 0))
            second = int(same[min(int(u_dual[i, 1] * len(same)), len(same) - 1)])
        if second != nat0[i]:
            nat1[i] = second

    # Nominating state.
    nominated: list[str] = []
    u_nom = rng.random(n)
    sig_list = [world.isos[s] for s in sig_idx]
    for i in range(n):
        iso = world.isos[nat0[i]]
        if category[i] == 0:
            nominated.append(iso)
        elif category[i] == 1 and sig_list:
            nat_langs = set(world.langs[nat0[i]])
            by_language = [s for s in sig_list if nat_langs & set(world.langs[world.index[s]])]
            same_group = [s for s in by_language if world.group[world.index[s]] == world.group[nat0[i]]]
            nominated.append(_pick(same_group or by_language or sig_list, float(u_nom[i])))
        else:
            nominated.append("")

    # Gender: ~40 % F, rare X, a few empty.
    gender = rng.choice(np.array(["F", "M", "X", ""]), size=n, p=[0.4, 0.577, 0.006, 0.017])
    female_names = (gender == "F") | ((gender != "M") & (rng.random(n) < 0.5))

    # Languages.
    lingua_draw = rng.random((n, len(_LINGUA))) < world.lingua_p[nat0]
    extra_official = rng.random((n, 4))
    second_lang = rng.random(n)
    languages: list[list[str]] = []
    for i in range(n):
        official = world.langs[nat0[i]]
        spoken: list[str] = list(official[:1])
        for j, code in enumerate(official[1:4], start=1):
            if code in _LINGUA or extra_official[i, j] < 0.3:
                spoken.append(code)
        for j, code in enumerate(_LINGUA):
            if lingua_draw[i, j] and code not in spoken and world.table.is_language(code):
                spoken.append(code)
        if nat1[i] >= 0 and second_lang[i] < 0.6:
            for code in world.langs[nat1[i]][:1]:
                if code not in spoken:
                    spoken.append(code)
        if not spoken:
            spoken.append("en" if world.table.is_language("en") else sorted(world.table.language_names)[0])
        languages.append(spoken)
    if planted >= 0:
        languages[planted] = [*world.langs[world.index[chair_nat]][:1], rare_lang, "en"]

    # Legal traditions: mostly empty, sometimes an explicit mixed training.
    explicit = rng.random(n) < 0.18
    u_trad = rng.random(n)
    traditions: list[str] = []
    for i in range(n):
        own_trad = list(world.traditions[nat0[i]])
        if not own_trad:
            traditions.append("civil")
            continue
        if not explicit[i]:
            traditions.append("")
            continue
        if nat1[i] >= 0 and u_trad[i] < 0.5:
            extra = [t for t in world.traditions[nat1[i]] if t not in own_trad]
        else:
            extra = []
        if not extra:
            extra = ["common"] if "common" not in own_trad else ["civil"]
            if "civil" in own_trad and "common" in own_trad:
                extra = ["muslim"] if u_trad[i] < 0.3 else []
        traditions.append(";".join(own_trad + extra))

    # Expertise: 2-5 areas (Gumbel top-k on the subject weights), levels grow with seniority.
    n_areas = rng.choice([2, 3, 4, 5], size=n, p=[0.3, 0.35, 0.25, 0.1])
    keys = np.log(_SUBJECT_WEIGHTS)[None, :] + rng.gumbel(size=(n, len(SUBJECTS)))
    order = np.argsort(-keys, axis=1)
    raw = 0.55 * seniority[:, None] + 0.45 * rng.random((n, len(SUBJECTS)))
    levels = 1 + (raw > 0.25).astype(int) + (raw > 0.45) + (raw > 0.65) + (raw > 0.83)
    expertise = np.zeros((n, len(SUBJECTS)), dtype=np.int64)
    ranks = np.argsort(order, axis=1)  # position of each subject in the mediator's order
    chosen = ranks < n_areas[:, None]
    expertise[chosen] = levels[chosen]
    if planted >= 0:
        expertise[planted] = 0
        for area, level in (("water", 4), ("environment", 3), ("boundary", 3)):
            expertise[planted, _SUBJECT_INDEX[area]] = level
    years = np.clip(np.rint(3 + 34 * seniority + rng.normal(0, 3, n)), 3, 40).astype(int)

    max_cases = rng.choice(np.arange(2, 9), size=n, p=[0.08, 0.17, 0.22, 0.2, 0.15, 0.1, 0.08])
    active = rng.binomial(max_cases, 0.3)
    available = rng.random(n) >= 0.03
    signed = rng.random(n) >= 0.03
    if planted >= 0:
        max_cases[planted], active[planted] = 4, 1
        available[planted] = signed[planted] = True
        gender[planted] = "F"
        female_names[planted] = True

    # Names (unique where the lists allow) and profiles.
    u_name = rng.random((n, 6))
    u_prof = rng.random((n, 10))
    seen: set[str] = set()
    rows: list[Row] = []
    for i in range(n):
        culture = world.culture[nat0[i]]
        name = _make_name(culture, bool(female_names[i]), u_name[i, :2])
        tries = 0
        while name in seen and tries < 2:
            tries += 1
            name = _make_name(culture, bool(female_names[i]), u_name[i, 2 * tries :])
        if name in seen:
            initial = "ABCDEFGHJKLMNPRSTVW"[int(u_name[i, 5] * 19)]
            parts = name.split(" ", 1)
            name = f"{parts[0]} {initial}. {parts[1]}" if len(parts) == 2 else f"{name} {initial}."
            suffix = 2
            base = name
            while name in seen:
                name = f"{base} ({suffix})"
                suffix += 1
        seen.add(name)
        areas = [SUBJECTS[j] for j in order[i] if expertise[i, j] > 0]
        areas.sort(key=lambda a: -expertise[i, _SUBJECT_INDEX[a]])
        nats = [world.isos[nat0[i]]] + ([world.isos[nat1[i]]] if nat1[i] >= 0 else [])
        rows.append(
            {
                "mediator_id": _id("M", i, n, 4),
                "name": name,
                "nationalities": ";".join(nats),
                "gender": str(gender[i]),
                "languages": ";".join(languages[i]),
                "legal_traditions": traditions[i],
                "expertise": ";".join(f"{a}:{expertise[i, _SUBJECT_INDEX[a]]}" for a in areas),
                "years_experience": str(int(years[i])),
                "max_cases": str(int(max_cases[i])),
                "active_cases": str(int(active[i])),
                "available": _bool(available[i]),
                "declaration_signed": _bool(signed[i]),
                "nominated_by": nominated[i],
                "profile": _profile(world.text_name(world.isos[nat0[i]]), areas, int(years[i]), u_prof[i]),
            }
        )

    all_langs = sorted({code for spoken in languages for code in spoken})
    speaks = {code: np.zeros(n, dtype=bool) for code in all_langs}
    for i, spoken in enumerate(languages):
        for code in spoken:
            speaks[code][i] = True
    return _Roster(
        rows=rows,
        nat0=nat0,
        nat1=nat1,
        expertise=expertise,
        years=years,
        eligible=available & signed & (active < max_cases),
        speaks=speaks,
        planted=planted,
    )


def _rare_groups(world: _World, nat0: np.ndarray) -> set[int]:
    """Groups held by at most two mediators: do not overwrite those when filling a gap."""
    counts = np.bincount(world.group[nat0], minlength=len(_GROUPS))
    return {g for g in range(len(_GROUPS)) if counts[g] <= 2}


def _only_spoken_by(world: _World, language: str, isos: set[str]) -> bool:
    """True if only the given countries have the language among their official languages."""
    holders = {iso for iso, langs in zip(world.isos, world.langs, strict=True) if language in langs}
    return bool(holders) and holders <= isos


def _profile(country: str, areas: list[str], years: int, u: np.ndarray) -> str:
    primary = areas[0]
    if years < 12:
        role_pool = _JUNIOR_ROLES
    elif u[0] < 0.45:
        role_pool = _AREA_ROLES.get(primary, _SENIOR_ROLES)
    else:
        role_pool = _SENIOR_ROLES
    role = _pick(role_pool, float(u[1])).format(country=country)
    p1 = _pick(_PHRASES[primary], float(u[2]))
    second = areas[1] if len(areas) > 1 else primary
    p2 = _pick([p for p in _PHRASES[second] if p != p1], float(u[3]))
    text = f"{role} with {years} years of experience, specialising in {p1}, as well as {p2}."
    rest = [_pick(_PHRASES[area], float(u[4 + k])) for k, area in enumerate(areas[2:5])] or [
        _pick([p for p in _PHRASES[primary] if p not in (p1, p2)], float(u[4]))
    ]
    verb = _pick(_PROFILE_VERBS, float(u[7]))
    if len(rest) == 1:
        text += f" {verb} {rest[0]}."
    else:
        text += f" {verb} {', '.join(rest[:-1])}, and on {rest[-1]}."
    if u[8] < 0.55 and years >= 15:
        text += " " + _pick(_PROFILE_EXTRAS, float(u[9]))
    return text


# --------------------------------------------------------------------------------------------
# Disputes
# --------------------------------------------------------------------------------------------


@dataclass
class _Docket:
    rows: list[Row]
    parties: list[list[str]]
    subjects: list[list[str]]
    languages: list[list[str]]
    kinds: list[str]
    hard: list[int]  # indices of the deliberately hard disputes


def _working_languages(world: _World, parties: list[str], lead: int, u: np.ndarray) -> list[str]:
    """Working language first: en unless the parties share another lingua franca, or (now and
    then) the language of the lead party (the host state, the state entity, either state)."""
    sets = [set(world.langs[world.index[p]]) for p in parties]
    shared = [c for c in ("fr", "es", "ar", "ru", "pt") if all(c in s for s in sets)]
    lead_lingua = [c for c in ("fr", "es", "ar", "ru", "pt", "zh") if c in sets[lead]]
    any_lingua = [c for c in ("fr", "es", "ar", "ru", "pt", "zh") if any(c in s for s in sets)]
    if shared and u[0] < 0.6:
        first = shared[0]
    elif lead_lingua and u[0] > 0.85:
        first = _pick(shared or lead_lingua, float(u[1]))
    else:
        first = "en"
    langs = [first]
    if u[2] < 0.3:
        others = [c for c in [*any_lingua, "en"] if c != first]
        if others:
            langs.append(_pick(others, float(u[3])))
    return [c for c in langs if world.table.is_language(c)] or ["en"]


def _disputes(world: _World, rng: np.random.Generator, m: int) -> _Docket:
    kinds_all = ("interstate", "investor_state", "commercial")
    kind_idx = rng.choice(3, size=m, p=[0.45, 0.35, 0.2])
    if m >= 3:
        for k in range(3):
            if not (kind_idx == k).any():
                kind_idx[int(rng.integers(m))] = k
    sizes = rng.choice(np.array([1, 2, 3, 5]), size=m, p=[0.2, 0.15, 0.5, 0.15])
    rules = rng.choice(np.array(["", "strict", "majority", "consent"]), size=m, p=[0.74, 0.14, 0.07, 0.05])
    u = rng.random((m, 24))

    pairs = [p for p in _PAIRS if world.has(p[0], p[1])]
    neighbours: dict[str, list[str]] = {}
    for a, b, _ in pairs:
        neighbours.setdefault(a, []).append(b)
        neighbours.setdefault(b, []).append(a)
    usable = world.weight > 0
    sig = [iso for iso, s, ok in zip(world.isos, world.signatory, usable, strict=True) if s and ok]
    weog = _GROUPS.index(UNGroup.WESTERN_EUROPEAN_OTHERS)
    non_weog = [iso for iso, g, ok in zip(world.isos, world.group, usable, strict=True) if g != weog and ok]
    hosts = sig or non_weog
    homes = [(h, w) for h, w in _INVESTOR_HOMES if h in world.index]
    home_w = np.array([w for _, w in homes])
    home_draw = rng.choice(len(homes), size=m, p=home_w / home_w.sum()) if homes else None
    contractors = [c for c in _CONTRACTOR_STATES if c in world.index]
    free_subjects = ("trade", "finance", "technology", "investment", "human_rights", "energy")

    docket = _Docket(rows=[], parties=[], subjects=[], languages=[], kinds=[], hard=[])
    for i in range(m):
        kind = kinds_all[kind_idx[i]]
        ui = u[i]
        scenario: _Scenario | None = None
        lead = 0
        if kind == "interstate":
            if pairs and ui[0] < 0.85:
                a, b, typical = pairs[min(int(ui[1] * len(pairs)), len(pairs) - 1)]
                primary = _pick(typical, float(ui[2]))
                scenario = _pick(_INTERSTATE[primary], float(ui[3]))
                if primary not in ("water", "transit", "finance") and ui[4] < 0.5:
                    a, b = b, a
                parties = [a, b]
                if ui[5] < 0.15:
                    extra = [c for c in neighbours.get(a, []) + neighbours.get(b, []) if c not in parties]
                    if extra:
                        parties.append(_pick(extra, float(ui[6])))
                pool = [s for s in typical if s != primary] + list(_RELATED[primary])
            else:
                # Two states of the same regional group, not necessarily neighbours.
                a = _pick(sig or non_weog, float(ui[1]))
                same = [
                    iso
                    for iso, g, ok in zip(world.isos, world.group, usable, strict=True)
                    if g == world.group[world.index[a]] and iso != a and ok
                ]
                b = _pick(same or [iso for iso in world.isos if iso != a], float(ui[6]))
                primary = _pick(free_subjects, float(ui[2]))
                if primary == "finance" and world.weight[world.index[a]] > world.weight[world.index[b]]:
                    a, b = b, a  # the smaller economy is the debtor
                parties = [a, b]
                scenario = _pick([sc for sc in _INTERSTATE[primary] if not sc[3]], float(ui[3]))
                pool = list(_RELATED[primary])
            lead = int(ui[7] * len(parties)) % len(parties)
        elif kind == "investor_state":
            home = homes[int(home_draw[i])][0] if home_draw is not None else world.isos[0]
            host_pool = hosts if ui[1] < 0.85 else non_weog
            host_pool = [h for h in host_pool if h != home] or [iso for iso in world.isos if iso != home]
            parties = [home, _pick(host_pool, float(ui[6]))]
            primary = "investment"
            pool = ["energy", "construction", "technology", "finance", "environment", "water"]
            pool += ["human_rights", "trade"]
            lead = 1
        else:
            state = _pick(hosts if ui[1] < 0.7 else non_weog, float(ui[6]))
            firm_pool = [c for c in contractors if c != state] or [iso for iso in world.isos if iso != state]
            parties = [state, _pick(firm_pool, float(ui[8]))]
            primary = _pick(tuple(_COMMERCIAL), float(ui[2]))
            pool = list(_RELATED[primary])
        subjects = [primary]
        n_extra = 0 if ui[9] < 0.45 else (1 if ui[9] < 0.85 else 2)
        for k in range(n_extra):
            options = [s for s in pool if s not in subjects]
            if options:
                subjects.append(_pick(options, float(ui[10 + k])))
        langs = _working_languages(world, parties, lead, ui[12:16])
        title, description = _texts(world, kind, parties, subjects, scenario, ui[16:24])
        docket.rows.append(
            {
                "dispute_id": _id("D", i, m, 3),
                "title": title,
                "kind": kind,
                "parties": ";".join(parties),
                "subject_areas": ";".join(subjects),
                "languages": ";".join(langs),
                "panel_size": str(int(sizes[i])),
                "description": description,
                "nationality_rule": str(rules[i]),
            }
        )
        docket.parties.append(parties)
        docket.subjects.append(subjects)
        docket.languages.append(langs)
        docket.kinds.append(kind)

    _add_hard_disputes(world, docket, m)
    return docket


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _article(word: str) -> str:
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word


def _covers(phrases: list[str]) -> str:
    """'The mediation covers X, as well as Y.' (phrases often contain 'and' themselves)."""
    if len(phrases) == 1:
        return f"The mediation covers {phrases[0]}."
    if len(phrases) == 2:
        return f"The mediation covers {phrases[0]}, as well as {phrases[1]}."
    return f"The mediation covers {'; '.join(phrases[:-1])}; and {phrases[-1]}."


def _texts(
    world: _World,
    kind: str,
    parties: list[str],
    subjects: list[str],
    scenario: _Scenario | None,
    u: np.ndarray,
) -> tuple[str, str]:
    titles = [world.name(p) for p in parties]
    names = [world.text_name(p) for p in parties]
    a, b = names[0], names[1]
    primary = subjects[0]
    sentences: list[str] = []
    phrases: list[str]
    if kind == "interstate" and scenario is not None:
        topic, opener, picks, _ = scenario
        title = f"{' / '.join(titles)}: {topic}"
        sentences.append(_cap(opener.format(A=a, B=b)))
        if len(names) > 2:
            sentences.append(f"{_cap(names[2])} has joined the mediation as a concerned state.")
        phrases = [_PHRASES[primary][picks[0]], _PHRASES[primary][picks[1]]]
    elif kind == "investor_state":
        detail_key = subjects[1] if len(subjects) > 1 else "investment"
        topic, detail = _INVESTOR[detail_key]
        sector = _pick(_SECTORS.get(detail_key, _SECTORS["investment"]), float(u[0]))
        title = f"{_cap(sector)} concession in {titles[1]} (investor from {titles[0]}): {topic}"
        sentences.append(f"An investor incorporated in {a} holds {_article(sector)} concession in {b}. {detail}")
        phrases = [_pick(_PHRASES["investment"], float(u[1]))]
    else:
        entities, firm, contract, topic, detail = _COMMERCIAL.get(primary, _COMMERCIAL["trade"])
        entity = _pick(entities, float(u[0]))
        title = f"{titles[0]} {entity} and {firm} from {titles[1]}: {topic}"
        sentences.append(
            f"The {entity} of {a} and {_article(firm)} from {b} disagree over their obligations "
            f"under {contract}. {detail}"
        )
        phrases = [_pick(_PHRASES[primary], float(u[1]))]
    for k, subject in enumerate(subjects[1:], start=2):
        options = [p for p in _PHRASES[subject] if p not in phrases]
        phrases.append(_pick(options, float(u[k])))
    if len(phrases) == 1:
        phrase_pool = _PHRASES["investment" if kind == "investor_state" else primary]
        phrases.append(_pick([p for p in phrase_pool if p not in phrases], float(u[5])))
    sentences.append(_covers(phrases))
    if u[6] < 0.6:
        sentences.append(_pick(_CLOSINGS[kind], float(u[7])))
    return title, " ".join(sentences)


def _add_hard_disputes(world: _World, docket: _Docket, m: int) -> None:
    """Overwrite one or two disputes with deliberately hard ones (a rare working language)."""
    if m < 10:
        return
    rare = next(
        (
            (state, lang, other)
            for state, lang, other in _RARE_LANGUAGE
            if world.has(state, other)
            and world.table.is_language(lang)
            and _only_spoken_by(world, lang, {state, other})
        ),
        None,
    )
    if rare is not None:
        state, lang, other = rare
        i = m // 3
        titles = (world.name(state), world.name(other))
        names = (world.text_name(state), world.text_name(other))
        lang_name = world.table.language_names.get(lang, lang)
        description = (
            f"{_cap(names[0])} and {names[1]} disagree over rail freight tariffs and border "
            "crossing times on their cross-border transit corridor. "
            + _covers([_PHRASES["transit"][1], _PHRASES["transit"][4]])
            + " The "
            f"parties ask for a five-member panel working in {lang_name}."
        )
        _set_dispute(
            docket,
            i,
            title=f"{titles[0]} / {titles[1]}: transit corridor and rail freight tariffs",
            kind="interstate",
            parties=[state, other],
            subjects=["transit", "trade"],
            langs=[lang, "en"],
            size=5,
            description=description,
            rule="",
        )
        docket.hard.append(i)
    party_a, party_b, lang, chair_nat = _TIGHT
    if (
        m >= 20
        and world.has(party_a, party_b, chair_nat)
        and world.table.is_language(lang)
        and _only_spoken_by(world, lang, {party_a, party_b})
    ):
        i = (2 * m) // 3
        titles = (world.name(party_a), world.name(party_b))
        names = (world.text_name(party_a), world.text_name(party_b))
        lang_name = world.table.language_names.get(lang, lang)
        description = (
            f"{_cap(names[0])}, the downstream state, says that the filling and operation of a new "
            f"dam in {names[1]} has reduced downstream flows and harmed fisheries and irrigation. "
            + _covers([_PHRASES["water"][1], _PHRASES["water"][3]])
            + " The parties asked for the mediation to be held in "
            f"{lang_name}."
        )
        _set_dispute(
            docket,
            i,
            title=f"{titles[0]} / {titles[1]}: dam operation and downstream flows",
            kind="interstate",
            parties=[party_a, party_b],
            subjects=["water", "environment"],
            langs=[lang, "en"],
            size=3,
            description=description,
            rule="",
        )
        docket.hard.append(i)


def _set_dispute(
    docket: _Docket,
    i: int,
    *,
    title: str,
    kind: str,
    parties: list[str],
    subjects: list[str],
    langs: list[str],
    size: int,
    description: str,
    rule: str,
) -> None:
    docket.rows[i].update(
        title=title,
        kind=kind,
        parties=";".join(parties),
        subject_areas=";".join(subjects),
        languages=";".join(langs),
        panel_size=str(size),
        description=description,
        nationality_rule=rule,
    )
    docket.parties[i] = parties
    docket.subjects[i] = subjects
    docket.languages[i] = langs
    docket.kinds[i] = kind


# --------------------------------------------------------------------------------------------
# Conflicts, preferences and appointment history
# --------------------------------------------------------------------------------------------


def _party_mask(world: _World, roster: _Roster, parties: list[str]) -> np.ndarray:
    """Mediators holding any nationality of any party (nat1 == -1 hits the spare last slot)."""
    is_party = np.zeros(len(world.isos) + 1, dtype=bool)
    is_party[[world.index[p] for p in parties]] = True
    return is_party[roster.nat0] | is_party[roster.nat1]


def _strong_candidates(
    world: _World,
    roster: _Roster,
    rng: np.random.Generator,
    parties: list[str],
    subjects: list[str],
    language: str | None,
    size: int,
) -> np.ndarray:
    """The best-matching eligible non-party mediators for a dispute (a noisy top ``size``)."""
    mask = roster.eligible & ~_party_mask(world, roster, parties)
    if language is not None:
        mask &= roster.speaks.get(language, np.zeros_like(mask))
    if roster.planted >= 0:
        mask[roster.planted] = False
    candidates = np.flatnonzero(mask)
    if len(candidates) == 0:
        return candidates
    cols = np.array([_SUBJECT_INDEX[s] for s in subjects], dtype=np.int64)
    score = roster.expertise[np.ix_(candidates, cols)].sum(axis=1) + 3 * rng.random(len(candidates))
    if len(candidates) > size:
        top = np.argpartition(-score, size)[:size]
    else:
        top = np.arange(len(candidates))
    top = top[np.argsort(-score[top], kind="stable")]
    return candidates[top]


def _conflicts(
    world: _World,
    roster: _Roster,
    docket: _Docket,
    rng: np.random.Generator,
    mediator_ids: list[str],
) -> list[Row]:
    m = len(docket.rows)
    candidates = [i for i in range(m) if i not in docket.hard]
    if not candidates:
        return []
    count = max(4, round(0.75 * m)) if m >= 4 else len(candidates)
    categories = list(_CONFLICT_NOTES)
    cat_draw = rng.choice(len(categories), size=count, p=_CONFLICT_P)
    cat_draw[: min(4, count)] = np.arange(min(4, count))
    dispute_draw = rng.choice(candidates, size=count)
    u = rng.random((count, 5))
    seen: set[tuple[int, int]] = set()
    rows: list[tuple[int, int, Row]] = []
    for k in range(count):
        d = int(dispute_draw[k])
        parties = docket.parties[d]
        pool = _strong_candidates(world, roster, rng, parties, docket.subjects[d], None, 25)
        pool = np.array([p for p in pool if (int(p), d) not in seen])
        if len(pool) == 0:
            continue
        med = int(pool[min(int(u[k, 0] * len(pool)), len(pool) - 1)])
        seen.add((med, d))
        category = categories[int(cat_draw[k])]
        party = parties[min(int(u[k, 1] * len(parties)), len(parties) - 1)]
        note = _pick(_CONFLICT_NOTES[category], float(u[k, 2])).format(
            party=world.text_name(party),
            year=2019 + int(u[k, 3] * 7),
            subject=_SUBJECT_LABEL[docket.subjects[d][0]],
        )
        waived = category == "waivable_red" and u[k, 4] < 0.35
        row = {
            "mediator_id": mediator_ids[med],
            "dispute_id": docket.rows[d]["dispute_id"],
            "category": category,
            "waived": _bool(waived),
            "note": note[0].upper() + note[1:],
        }
        rows.append((d, med, row))
    rows.sort(key=lambda t: (t[0], t[1]))
    return [r for _, _, r in rows]


def _preferences(
    world: _World,
    roster: _Roster,
    docket: _Docket,
    rng: np.random.Generator,
    mediator_ids: list[str],
) -> list[Row]:
    m = len(docket.rows)
    chosen = rng.random(m) < 0.25
    for i in docket.hard:
        chosen[i] = False
    if m >= 4 and not chosen.any():
        chosen[next(i for i in range(m) if i not in docket.hard)] = True
    rows: list[Row] = []
    for d in np.flatnonzero(chosen):
        parties = docket.parties[d]
        pool = _strong_candidates(world, roster, rng, parties, docket.subjects[d], docket.languages[d][0], 30)
        if len(pool) < 6:
            continue
        pool_nat = [world.isos[roster.nat0[p]] for p in pool]
        for party in parties:
            others = [p for p in parties if p != party]
            align_self = np.array([world.table.alignment(n, party) for n in pool_nat], dtype=float)
            align_other = np.array([max(world.table.alignment(n, o) for o in others) for n in pool_nat], dtype=float)
            noise = rng.random((2, len(pool)))
            n_strike = int(rng.integers(1, 4))
            n_rank = int(rng.integers(3, 7))
            strike_order = np.argsort(-(align_other - align_self + 1.5 * noise[0]), kind="stable")
            struck = list(strike_order[:n_strike])
            quality = np.linspace(1.0, 0.0, len(pool))  # pool is sorted best first
            rank_order = np.argsort(-(quality + 0.3 * align_self + 0.8 * noise[1]), kind="stable")
            ranked = [j for j in rank_order if j not in struck][:n_rank]
            for j in struck:
                rows.append(
                    {
                        "dispute_id": docket.rows[d]["dispute_id"],
                        "party": party,
                        "mediator_id": mediator_ids[pool[j]],
                        "struck": "true",
                        "rank": "",
                    }
                )
            for r, j in enumerate(ranked, start=1):
                rows.append(
                    {
                        "dispute_id": docket.rows[d]["dispute_id"],
                        "party": party,
                        "mediator_id": mediator_ids[pool[j]],
                        "struck": "false",
                        "rank": str(r),
                    }
                )
    return rows


def _appointments(world: _World, roster: _Roster, rng: np.random.Generator, mediator_ids: list[str]) -> list[Row]:
    n = len(mediator_ids)
    target = round(n * 2 / 3)
    if n == 0 or target == 0:
        return []
    # The club: a few senior mediators, mostly from the usual arbitration hubs, appointed often.
    senior = np.flatnonzero(roster.years >= 20)
    if len(senior) == 0:
        senior = np.arange(n)
    club_size = min(len(senior), max(3, round(0.02 * n)))
    club_w = world.weight[roster.nat0[senior]] + 0.05
    club_w = club_w * np.where(world.signatory[roster.nat0[senior]], 0.5, 1.0)
    club = rng.choice(senior, size=club_size, replace=False, p=club_w / club_w.sum())
    med_w = np.ones(n)
    med_w[club] = 30.0
    med_w = med_w / med_w.sum()
    # Appointing parties: signatories and frequent users of international dispute settlement.
    party_w = world.weight + np.where(world.signatory, 1.0, 0.0)
    party_w = party_w / party_w.sum()

    span = (HISTORY_END - HISTORY_START).days
    cases: list[tuple[int, list[str], list[tuple[int, str]]]] = []  # day, parties, (med, party)

    n_repeat = max(2, target // 100)
    for k in range(n_repeat):
        med = int(club[k % len(club)])
        bad = {int(roster.nat0[med]), int(roster.nat1[med])}
        for _ in range(20):
            party_i = int(rng.choice(len(world.isos), p=party_w))
            if party_i not in bad:
                break
        for _ in range(2 + int(rng.random() < 0.4)):
            other_i = int(rng.choice(len(world.isos), p=party_w))
            if other_i in bad or other_i == party_i:
                other_i = (party_i + 1) % len(world.isos)
            cases.append(
                (
                    int(rng.integers(span + 1)),
                    [world.isos[party_i], world.isos[other_i]],
                    [(med, world.isos[party_i])],
                )
            )

    rows_planned = sum(len(c[2]) for c in cases)
    draws = rng.choice(n, size=4 * target + 100, p=med_w)
    cursor = 0
    while rows_planned < target:
        pa, pb = rng.choice(len(world.isos), size=2, replace=False, p=party_w)
        parties = [world.isos[pa], world.isos[pb]]
        k = int(rng.choice([1, 2, 3], p=[0.3, 0.5, 0.2]))
        chosen: list[tuple[int, str]] = []
        used: set[int] = set()
        for j in range(k):
            for _ in range(50):
                if cursor >= len(draws):
                    draws = rng.choice(n, size=4 * target + 100, p=med_w)
                    cursor = 0
                med = int(draws[cursor])
                cursor += 1
                if med in used or roster.nat0[med] in (pa, pb) or roster.nat1[med] in (pa, pb):
                    continue
                used.add(med)
                chosen.append((med, parties[j % 2]))
                break
        if chosen:
            cases.append((int(rng.integers(span + 1)), parties, chosen))
            rows_planned += len(chosen)

    cases.sort(key=lambda c: c[0])
    rows: list[Row] = []
    for h, (day, _parties, chosen) in enumerate(cases):
        hid = _id("H", h, len(cases), 4)
        when = (HISTORY_START + timedelta(days=day)).isoformat()
        for med, party in chosen:
            rows.append(
                {
                    "mediator_id": mediator_ids[med],
                    "dispute_id": hid,
                    "party": party,
                    "appointed_on": when,
                }
            )
    return rows


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


def _write(path: Path, columns: tuple[str, ...], rows: list[Row]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(columns), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_demo_data(
    out_dir: Path,
    seed: int = 2025,
    mediators: int = 600,
    disputes: int = 80,
    countries: CountryTable | None = None,
) -> dict[str, Path]:
    """Writes mediators.csv, disputes.csv, conflicts.csv, preferences.csv, appointments.csv into
    out_dir and returns {file name: path}.

    The same seed, sizes and reference table give byte-identical files.
    """
    if mediators < 1 or disputes < 1:
        raise ValueError("demo data needs at least one mediator and one dispute")
    table = countries if countries is not None else default_countries()
    world = _build_world(table)
    rng = np.random.default_rng(seed)
    roster = _mediators(world, rng, mediators)
    docket = _disputes(world, rng, disputes)
    mediator_ids = [row["mediator_id"] for row in roster.rows]
    conflicts = _conflicts(world, roster, docket, rng, mediator_ids)
    preferences = _preferences(world, roster, docket, rng, mediator_ids)
    appointments = _appointments(world, roster, rng, mediator_ids)

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    return {
        "mediators.csv": _write(out_dir / "mediators.csv", MEDIATOR_COLUMNS, roster.rows),
        "disputes.csv": _write(out_dir / "disputes.csv", DISPUTE_COLUMNS, docket.rows),
        "conflicts.csv": _write(out_dir / "conflicts.csv", CONFLICT_COLUMNS, conflicts),
        "preferences.csv": _write(out_dir / "preferences.csv", PREFERENCE_COLUMNS, preferences),
        "appointments.csv": _write(out_dir / "appointments.csv", APPOINTMENT_COLUMNS, appointments),
    }
