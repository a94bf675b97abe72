"""Word lists and sentence builders for the replica's Indonesian-ish news text.

Every person named here is fictional (quotes are invented, so no real official is quoted). The
builders take a `random.Random` and return plain text with single spaces, no leading or trailing
whitespace: the ground truth is exactly this text, whatever markup the renderer wraps it in.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

T = TypeVar("T")

# (name, slug, listing style); the slugs are WordPress' sanitize_title of the names.
SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("Pontianak", "pontianak", "newkarma"),
    ("Kubu Raya", "kubu-raya", "news5"),
    ("Ketapang", "ketapang", "newkarma"),
    ("Mempawah", "mempawah", "news5"),
    ("Landak", "landak", "newkarma"),
    ("Tips", "tips", "news5"),
)
SECTION_WEIGHTS = (34, 16, 15, 12, 10, 13)

# (user_nicename, display name, author-box bio)
AUTHORS: tuple[tuple[str, str, str], ...] = (
    ("adminkalbaronline", "adminkalbaronline", ""),
    ("boskalbaronline", "boskalbaronline", ""),
    ("jauharifatria", "Jauhari Fatria", "Saya Penulis Pemula"),
    ("redaksi", "Redaksi KalbarOnline", "Tim redaksi KalbarOnline.Com"),
)
# Weights per era: (newkarma era, news5 era).
AUTHOR_WEIGHTS = ((5, 3, 3, 0), (2, 0, 3, 6))

REPORTERS = ("jim", "Fai", "Jau", "Adi LC", "Ind", "Rls", "Ben", "Sfr")

MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip
MONTHS_SHORT = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")
DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")

# Sub-places per section, used in titles and bodies.
PLACES: dict[str, tuple[str, ...]] = {
    "pontianak": (
        "Pontianak Utara",
        "Pontianak Barat",
        "Pontianak Kota",
        "Pontianak Selatan",
        "Pontianak Tenggara",
        "Pontianak Timur",
        "Jalan Gajah Mada",
        "Jalan Ahmad Yani",
        "Taman Alun Kapuas",
        "Tugu Khatulistiwa",
        "Pasar Flamboyan",
        "Jalan Tanjungpura",
    ),
    "kubu-raya": (
        "Sungai Raya",
        "Sungai Kakap",
        "Rasau Jaya",
        "Sungai Ambawang",
        "Kuala Mandor B",
        "Teluk Pakedai",
        "Batu Ampar",
        "Terentang",
        "Desa Limbung",
        "Arang Limbung",
    ),
    "ketapang": (
        "Delta Pawan",
        "Matan Hilir Selatan",
        "Nanga Tayap",
        "Sandai",
        "Kendawangan",
        "Jelai Hulu",
        "Siduk",
        "Benua Kayong",
        "Muara Pawan",
    ),
    "mempawah": (
        "Mempawah Hilir",
        "Sungai Pinyuh",
        "Anjongan",
        "Sungai Kunyit",
        "Segedong",
        "Siantan",
        "Mempawah Timur",
        "Sadaniang",
    ),
    "landak": (
        "Ngabang",
        "Mandor",
        "Menjalin",
        "Sengah Temila",
        "Air Besar",
        "Meranti",
        "Kuala Behe",
        "Sompak",
    ),
    "tips": ("Pontianak", "Kalimantan Barat", "rumah", "kantor"),
}
# The place named in the "KalbarOnline, <Place> – " dateline.
DATELINE_PLACES: dict[str, str] = {
    "pontianak": "Pontianak",
    "kubu-raya": "Kubu Raya",
    "ketapang": "Ketapang",
    "mempawah": "Mempawah",
    "landak": "Landak",
    "tips": "Pontianak",
}
# (office, fictional name) per section.
OFFICIALS: dict[str, tuple[tuple[str, str], ...]] = {
    "pontianak": (
        ("Wali Kota Pontianak", "Hendra Saputra"),
        ("Wakil Wali Kota Pontianak", "Siti Rahmawati"),
        ("Kepala Dinas Kesehatan Kota Pontianak", "Yuniarti Lestari"),
        ("Kapolresta Pontianak", "Kombes Pol Andi Wirawan"),
        ("Kepala BPBD Kalbar", "Darmawan Putra"),
    ),
    "kubu-raya": (
        ("Bupati Kubu Raya", "Rudi Hartono"),
        ("Wakil Bupati Kubu Raya", "Maria Ulfah"),
        ("Kepala Dinas Pertanian Kubu Raya", "Syafrudin"),
        ("Kapolres Kubu Raya", "AKBP Bima Prakoso"),
    ),
    "ketapang": (
        ("Bupati Ketapang", "Marcus Danang"),
        ("Wakil Bupati Ketapang", "Farida Hasan"),
        ("Kepala Dinas PUPR Ketapang", "Junaidi"),
        ("Camat Nanga Tayap", "Yohanes Kristianto"),
    ),
    "mempawah": (
        ("Bupati Mempawah", "Nurlela Anwar"),
        ("Ketua DPRD Mempawah", "Rahmad Hidayat"),
        ("Kepala Dinas Perikanan Mempawah", "Eko Susanto"),
    ),
    "landak": (
        ("Bupati Landak", "Kristina Ayu"),
        ("Wakil Bupati Landak", "Heri Saputra"),
        ("Kepala Dinas Pendidikan Landak", "Vinsensius"),
    ),
    "tips": (
        ("dokter spesialis gizi", "dr Rina Marlina"),
        ("pakar keuangan", "Agus Salim"),
        ("Ketua Asosiasi UMKM Kalbar", "Lina Wati"),
    ),
}


@dataclass(frozen=True)
class Topic:
    title: str  # as in a headline ("Perbaikan Jalan")
    body: str  # as in running text ("perbaikan jalan")
    tag: str  # a tag name


TOPICS: tuple[Topic, ...] = (
    Topic("Perbaikan Jalan", "perbaikan jalan", "Infrastruktur"),
    Topic("Banjir Rob", "banjir rob", "Banjir"),
    Topic("Vaksinasi Massal", "vaksinasi massal", "Kesehatan"),
    Topic("Pasar Murah", "pasar murah", "Ekonomi"),
    Topic("Festival Budaya", "festival budaya", "Budaya"),
    Topic("Penertiban PKL", "penertiban pedagang kaki lima", "Ketertiban"),
    Topic("Pembangunan Jembatan", "pembangunan jembatan", "Infrastruktur"),
    Topic("Kebakaran Lahan", "kebakaran lahan", "Karhutla"),
    Topic("Bantuan Sosial", "penyaluran bantuan sosial", "Bansos"),
    Topic("Pelatihan UMKM", "pelatihan pelaku UMKM", "UMKM"),
    Topic("Harga Sembako", "pengawasan harga sembako", "Ekonomi"),
    Topic("Distribusi Air Bersih", "distribusi air bersih", "Air Bersih"),
    Topic("Operasi Pasar", "operasi pasar beras", "Ekonomi"),
    Topic("Gotong Royong", "gotong royong membersihkan parit", "Lingkungan"),
    Topic("Imunisasi Anak", "imunisasi anak", "Kesehatan"),
    Topic("Turnamen Sepak Bola", "turnamen sepak bola antarkecamatan", "Olahraga"),
    Topic("Seleksi Paskibraka", "seleksi Paskibraka", "Pendidikan"),
    Topic("Penyaluran Pupuk", "penyaluran pupuk bersubsidi", "Pertanian"),
    Topic("Layanan Adminduk", "layanan administrasi kependudukan", "Pelayanan Publik"),
    Topic("Patroli Malam", "patroli malam", "Keamanan"),
)

TITLE_VERBS = ("Tinjau", "Pantau", "Resmikan", "Buka", "Evaluasi", "Percepat", "Dukung")
BODY_VERBS = ("meninjau", "memantau", "meresmikan", "membuka", "mengevaluasi", "mempercepat")
OUTCOMES = (
    "Jadi Sorotan DPRD", "Disambut Antusias Warga", "Ditargetkan Tuntas Bulan Depan",
    "Libatkan Ratusan Relawan", "Dievaluasi Pemerintah Daerah", "Diperluas Tahun Depan",
)  # fmt: skip
APPEALS = (
    "Waspadai Cuaca Ekstrem", "Tidak Panik", "Jaga Kebersihan Lingkungan",
    "Manfaatkan Layanan Gratis", "Laporkan Pungutan Liar", "Hemat Air",
)  # fmt: skip
ASSURANCES = (
    "Pelayanan Tetap Berjalan Normal", "Anggaran Sudah Disiapkan", "Stok Aman Hingga Akhir Tahun",
    "Petugas Siaga 24 Jam", "Tidak Ada Pungutan Biaya",
)  # fmt: skip
SHORT_QUOTES = (
    "Kami Ingin Pelayanan Semakin Cepat", "Jangan Ada Warga yang Tertinggal",
    "Semua Pihak Harus Terlibat", "Ini Bukti Keseriusan Pemerintah",
)  # fmt: skip
TIPS_GOALS = (
    "Menjaga Kesehatan Saat Musim Hujan", "Hemat Belanja Jelang Ramadan",
    "Mencegah Demam Berdarah di Rumah", "Mengatur Keuangan Keluarga",
    "Memulai Usaha Kuliner Rumahan", "Mengantisipasi Banjir di Lingkungan Rumah",
    "Merawat Sepeda Motor Setelah Menerjang Genangan", "Memilih Ikan Segar di Pasar",
)  # fmt: skip
TIPS_STEPS = (
    "Pastikan saluran air di sekitar rumah tidak tersumbat sampah",
    "Simpan dokumen penting di dalam wadah kedap air",
    "Biasakan mencuci tangan dengan sabun sebelum makan",
    "Buat daftar belanja dan patuhi anggaran yang sudah ditetapkan",
    "Pisahkan rekening untuk kebutuhan rumah tangga dan tabungan",
    "Perhatikan warna insang dan kejernihan mata ikan sebelum membeli",
    "Kuras dan tutup tempat penampungan air sekurang-kurangnya sepekan sekali",
    "Periksa kondisi rem dan oli kendaraan secara berkala",
    "Manfaatkan media sosial untuk memasarkan produk dengan biaya murah",
    "Konsumsi sayur dan buah setiap hari untuk menjaga daya tahan tubuh",
)
CLAUSES = (
    "program ini dapat terus berlanjut hingga tahun depan",
    "masyarakat diminta tetap waspada terhadap cuaca ekstrem",
    "koordinasi antarinstansi terus diperkuat agar hasilnya maksimal",
    "anggaran kegiatan bersumber dari APBD tahun berjalan",
    "pihaknya akan mengevaluasi pelaksanaan kegiatan secara berkala",
    "warga dapat menyampaikan keluhan melalui kanal pengaduan resmi",
    "petugas gabungan disiagakan di sejumlah titik rawan",
    "pelaksanaan kegiatan melibatkan kelurahan dan tokoh masyarakat setempat",
    "target penyelesaian pekerjaan diperkirakan sesuai jadwal",
    "kegiatan serupa akan digelar di kecamatan lain secara bergiliran",
    "data penerima manfaat sudah diverifikasi ulang oleh dinas terkait",
    "kondisi di lapangan saat ini berangsur normal",
)
QUOTES = (
    "Kami ingin pelayanan kepada masyarakat semakin cepat dan tepat sasaran",
    "Kami minta masyarakat tidak panik dan tetap mengikuti arahan petugas",
    "Ini kerja bersama, tidak bisa hanya dibebankan kepada pemerintah",
    "Kami pastikan seluruh tahapan berjalan transparan",
    "Antusiasme warga luar biasa, jauh melampaui target awal kami",
    "Kalau ada kendala di lapangan, segera laporkan supaya cepat ditangani",
    "Kami berharap kegiatan ini memberi manfaat langsung bagi warga",
)
SPEECH = ("kata", "ujar", "tegas", "jelas", "ungkap")
GUESTS = (
    "unsur Forkopimda", "camat dan lurah setempat", "perwakilan organisasi perangkat daerah",
    "tokoh masyarakat dan tokoh agama", "anggota DPRD setempat",
)  # fmt: skip
AGENCIES = ("BPBD", "Dinas Sosial", "Dinas Kesehatan", "Dinas PUPR", "Badan Pusat Statistik")
UNITS = ("rumah", "kepala keluarga", "warga", "titik", "hektare lahan", "peserta")
CITIZENS = ("Nurhayati", "Budi Santoso", "Rahmat", "Yuliana", "Asep Kurniawan", "Dewi Anggraini")
FEELINGS = (
    "senang dengan adanya kegiatan tersebut",
    "sudah lama menunggu perhatian dari pemerintah",
    "terbantu karena tidak perlu jauh-jauh ke pusat kota",
    "berharap kegiatan serupa digelar rutin setiap tahun",
)
NUMBER_WORDS = ("tiga", "empat", "lima", "enam", "tujuh")
SUBTITLES = (
    "Targetkan Rampung Sebelum Akhir Tahun", "Warga Diminta Tetap Waspada",
    "Dua Bulan Jalani Masa Persiapan", "Libatkan Seluruh Perangkat Daerah",
    "Pemerintah Siapkan Anggaran Tambahan",
)  # fmt: skip


def _c(rng: random.Random, seq: Sequence[T]) -> T:
    return seq[rng.randrange(len(seq))]


@dataclass(frozen=True)
class Story:
    """The facts an article is written around; title, body and tags all follow from them."""

    section: str  # slug of the article's main section
    place: str
    office: str
    person: str
    topic: Topic
    kind: int  # which title pattern

    @classmethod
    def pick(cls, rng: random.Random, section: str) -> Story:
        office, person = _c(rng, OFFICIALS[section])
        place = _c(rng, PLACES[section])
        return cls(section, place, office, person, _c(rng, TOPICS), rng.randrange(6))


def title_for(story: Story, rng: random.Random) -> str:
    if story.section == "tips":
        n = rng.randint(3, 7)
        goal = _c(rng, TIPS_GOALS)
        return (f"{n} Cara Mudah {goal}", f"Tips {goal}", f"Begini Cara {goal}")[story.kind % 3]
    t = story.topic.title
    kind = story.kind
    if kind == 0:
        return f"{story.office} {_c(rng, TITLE_VERBS)} {t} di {story.place}"
    if kind == 1:
        return f"{t} di {story.place} {_c(rng, OUTCOMES)}"
    if kind == 2:
        return f"{story.office} Minta Warga {_c(rng, APPEALS)}"
    if kind == 3:
        return f"{story.person}: “{_c(rng, SHORT_QUOTES)}”"
    if kind == 4:
        # Long headlines: Yoast cuts JSON-LD `headline` at 110 characters.
        return (
            f"{t} di {story.place} {_c(rng, OUTCOMES)}, {story.office} "
            f"Pastikan {_c(rng, ASSURANCES)}"
        )
    return f"{_c(rng, TITLE_VERBS)} {t}, {story.office} Libatkan Warga {story.place}"


def subtitle_for(rng: random.Random) -> str:
    return _c(rng, SUBTITLES)


def event_date(moment: datetime, rng: random.Random) -> str:
    """An in-body event date as reporters write it: `Kamis (5/7)`, `Rabu (28/08/2024)`."""
    day = DAYS[moment.weekday()]
    style = rng.randrange(3)
    if style == 0:
        return f"{day} ({moment.day}/{moment.month})"
    if style == 1:
        return f"{day} ({moment.day}/{moment.month}/{moment.year})"
    return f"{day} ({moment.day:02d}/{moment.month:02d}/{moment.year})"


def news_paragraphs(story: Story, rng: random.Random, moment: datetime) -> list[str]:
    """3 to 7 paragraphs of a news story, the first one without its dateline."""
    clause = iter(rng.sample(CLAUSES, 8)).__next__
    quote = iter(rng.sample(QUOTES, 4)).__next__
    who = f"{story.office}, {story.person}"
    lead = (
        f"{who}, {_c(rng, BODY_VERBS)} {story.topic.body} di {story.place} pada "
        f"{event_date(moment, rng)}. Kegiatan tersebut turut dihadiri {_c(rng, GUESTS)}."
    )
    pool = [
        f"Menurut {story.person}, {clause()}. Ia menambahkan, {clause()}.",
        f"“{quote()},” {_c(rng, SPEECH)} {story.person}.",
        f"Berdasarkan data {_c(rng, AGENCIES)}, sedikitnya {rng.randint(12, 950)} "
        f"{_c(rng, UNITS)} tercatat dalam kegiatan tersebut. Pihaknya menyebut {clause()}.",
        f"Sementara itu, salah seorang warga {story.place}, {_c(rng, CITIZENS)}, mengaku "
        f"{_c(rng, FEELINGS)}. “{quote()},” katanya.",
        f"{story.person} menjelaskan, {clause()}. Selain itu, {clause()}.",
        f"Pihaknya menargetkan {story.topic.body} di {story.place} dapat rampung pada "
        f"{MONTHS[rng.randrange(12)]} mendatang.",
        f"Ia berharap {clause()}. “{quote()},” {_c(rng, SPEECH)}nya.",
    ]
    rng.shuffle(pool)
    return [lead, *pool[: rng.randint(2, 6)]]


def tips_blocks(story: Story, rng: random.Random) -> list[tuple[str, str]]:
    """A Tips article: intro, a list (or sub-headed steps) and a closing paragraph."""
    steps = rng.sample(TIPS_STEPS, rng.randint(3, 5))
    intro = (
        f"Ada sejumlah langkah sederhana yang bisa dilakukan warga {story.place}. Menurut "
        f"{story.office}, {story.person}, {_c(rng, CLAUSES)}."
    )
    blocks: list[tuple[str, str]] = [("p", intro)]
    blocks.append(("p", f"Berikut {NUMBER_WORDS[len(steps) - 3]} langkah yang bisa dilakukan:"))
    if rng.random() < 0.6:
        blocks += [("li", f"{step}.") for step in steps]
    else:
        for number, step in enumerate(steps, 1):
            blocks.append(("h3", f"Langkah {number}"))
            blocks.append(("p", f"{step}. {_c(rng, CLAUSES).capitalize()}."))
    blocks.append(("p", f"“{_c(rng, QUOTES)},” {_c(rng, SPEECH)} {story.person}."))
    return blocks


def caption_for(story: Story, rng: random.Random, moment: datetime, reporter: str) -> str:
    return (
        f"{story.office}, {story.person}, saat {_c(rng, BODY_VERBS)} {story.topic.body} di "
        f"{story.place}, {DAYS[moment.weekday()]} ({moment.day}/{moment.month}). "
        f"(Foto: {reporter}/KalbarOnline)"
    )


def excerpt_words(text: str, n: int) -> str:
    words = text.split()
    return " ".join(words[:n]) + (" […]" if len(words) > n else "")
