"""Seed content for the real-WordPress test site, written in KalbarOnline's style.

The harness in tests/wordpress/ installs a real WordPress (Newkarma theme, Yoast SEO, AMP for WP,
KIA Subtitle) on 127.0.0.1 and feeds it these authors, categories and posts through WordPress's
own PHP API. The style follows ../shared/site-notes.md:

- body openings (site-notes §6, "Body opening (dateline) variants"): ``KalbarOnline, <Place> – ``
  (en dash) for 2023-2024, a few ``KalbarOnline.com - `` in 2024, ``KALBARONLINE.com – `` in 2025;
- in-body event dates such as ``Rabu (3/5)``, ``Minggu (26/11/2023)``, ``Rabu (28/08/2024)`` (§6);
- reporter initials in parentheses ending the body: ``(jim)``, ``(Fai)``, ``(Jau)``, ``(Adi LC)``
  (§1 "Noise / artifacts": "Reporter initials at the end in parentheses");
- categories Pontianak, Kubu Raya, Ketapang and Tips (§1 "Category names / slugs seen"), one post
  filed under both Pontianak and Tips like the page whose AMP copy reads "Categories: PontianakTips";
- "Baca Juga" links to other posts in the middle of some bodies (§1 "Noise / artifacts").

Every person named in the bodies is fictional (quotes are invented), except the author Jauhari
Fatria, whose name appears only as a byline, as on the real site.

This module is data only, on purpose: it says what to publish, not what a scraper should find.
The ground truth for tests is read back from WordPress itself (the rendered pages, the REST API,
the database) after seeding, so that slugs, permalinks, texturized quotes, image sizes, GMT dates
and whatever the theme and plugins add are WordPress's, not this file's guesses. Everything is
deterministic: no randomness, no clock, no network. ``{BASE}`` in ``content`` stands for the site
URL; the harness substitutes it.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

# The replica's phrasebook: one copy of the site's idiom for both test sites.
from tests.fakesite.vocab import (
    AGENCIES,
    CITIZENS,
    DAYS,
    FEELINGS,
    GUESTS,
    MONTHS,
    QUOTES,
    SPEECH,
)


@dataclass(frozen=True)
class Author:
    login: str  # ascii user_login (and user_nicename)
    display_name: str
    email: str


@dataclass(frozen=True)
class Category:
    slug: str
    name: str


@dataclass(frozen=True)
class Image:
    filename: str  # unique per post
    width: int
    height: int
    caption: str  # "" for none
    alt: str  # often the post title, as real editors do; else a description or ""
    color: tuple[int, int, int]  # for the generator to paint a plain image


@dataclass(frozen=True)
class Post:
    key: str  # stable short id
    title: str
    subtitle: str | None
    author: str  # Author.login
    categories: tuple[str, ...]  # Category.slug; the first is the primary category
    tags: tuple[str, ...]  # tag names
    date: str  # local time, Asia/Pontianak (UTC+7): "YYYY-MM-DD HH:MM:SS"
    modified: str | None  # a later local time when the post was edited after publishing
    edited_content: str | None  # post_content after that edit (set iff modified is set)
    content: str  # post_content as the classic editor stores it
    image: Image | None  # the featured image
    # What the writer put in the body by the site's conventions (SPEC.md `dateline`,
    # `reporter`): the place of a "KalbarOnline, <Place> – " opening, the sign-off's initials.
    dateline: str | None
    reporter: str | None


AUTHORS: list[Author] = [
    Author("jauharifatria", "Jauhari Fatria", "jauharifatria@example.test"),
    Author("nurainirahma", "Nur Aini Rahmawati", "nurainirahma@example.test"),
    Author("andisaputra", "Andi Saputra", "andisaputra@example.test"),
    Author("redaksi", "Redaksi KalbarOnline", "redaksi@example.test"),
]

CATEGORIES: list[Category] = [
    Category("pontianak", "Pontianak"),
    Category("kubu-raya", "Kubu Raya"),
    Category("ketapang", "Ketapang"),
    Category("tips", "Tips"),
]

# The place named in the comma dateline, per primary category.
_DATELINE_PLACE = {
    "pontianak": "Pontianak",
    "kubu-raya": "Kubu Raya",
    "ketapang": "Ketapang",
    "tips": "Pontianak",
}

# Fictional officials (office, name) per category; rows below pick one by index.
_OFFICIALS: dict[str, tuple[tuple[str, str], ...]] = {
    "pontianak": (
        ("Wali Kota Pontianak", "Bambang Wijaya"),
        ("Wakil Wali Kota Pontianak", "Lestari Handayani"),
        ("Kepala Dinas Kesehatan Kota Pontianak", "dr Farida Yusuf"),
        ("Kapolresta Pontianak", "Kombes Pol Arif Setiawan"),
        ("Kepala BPBD Kalbar", "Syarif Hamdani"),
    ),
    "kubu-raya": (
        ("Bupati Kubu Raya", "Ridwan Harahap"),
        ("Wakil Bupati Kubu Raya", "Maimunah"),
        ("Kepala Dinas Pertanian Kubu Raya", "Sudarsono"),
        ("Kapolres Kubu Raya", "AKBP Dimas Pratama"),
    ),
    "ketapang": (
        ("Bupati Ketapang", "Antonius Budiman"),
        ("Wakil Bupati Ketapang", "Hj Rosnani"),
        ("Kepala Dinas PUPR Ketapang", "Zulkarnain"),
        ("Camat Nanga Tayap", "Yohanes Sentosa"),
    ),
    "tips": (
        ("dokter spesialis anak", "dr Melati Kusuma"),
        ("perencana keuangan", "Irfan Hakim"),
        ("Ketua Asosiasi UMKM Kalbar", "Linda Wulandari"),
        ("penyuluh Dinas Lingkungan Hidup", "Gusti Ramadhan"),
    ),
}

# News rows: (title, official index, what the official did, place, tag candidates).
_NEWS: dict[str, tuple[tuple[str, int, str, str, tuple[str, ...]], ...]] = {
    "pontianak": (
        ("Pemkot Pontianak Percepat Perbaikan Drainase di Jalan Gajah Mada", 0,
         "meninjau perbaikan drainase", "Jalan Gajah Mada",
         ("Pemkot Pontianak", "Bambang Wijaya", "Infrastruktur", "Kalbar")),
        ("Wali Kota Pontianak Tinjau Pasar Murah di Pontianak Timur", 0,
         "meninjau pelaksanaan pasar murah", "Pontianak Timur",
         ("Pemkot Pontianak", "Bambang Wijaya", "Ekonomi", "Pasar Murah")),
        ("Ribuan Warga Padati Festival Meriam Karbit di Tepian Kapuas", 1,
         "membuka festival meriam karbit", "tepian Sungai Kapuas",
         ("Pemkot Pontianak", "Budaya", "Lestari Handayani", "Kalbar")),
        ("Dinas Kesehatan Kota Pontianak Gelar Vaksinasi Anak di Pontianak Barat", 2,
         "memantau vaksinasi anak", "Pontianak Barat",
         ("Kesehatan", "Pemkot Pontianak", "Imunisasi")),
        ("Banjir Rob Genangi Sejumlah Ruas Jalan di Pontianak Utara", 4,
         "memantau genangan banjir rob", "Pontianak Utara",
         ("Banjir", "BPBD Kalbar", "Pemkot Pontianak", "Kalbar")),
        ("Penertiban PKL di Taman Alun Kapuas Berjalan Tertib", 1,
         "memantau penertiban pedagang kaki lima", "Taman Alun Kapuas",
         ("Pemkot Pontianak", "Ketertiban")),
        ("Pemkot Pontianak Siapkan Rp12 Miliar untuk Rehabilitasi Sekolah", 0,
         "memaparkan rencana rehabilitasi gedung sekolah", "Pontianak Kota",
         ("Pemkot Pontianak", "Pendidikan", "Bambang Wijaya")),
        ("Tugu Khatulistiwa Ramai Dikunjungi Wisatawan Saat Kulminasi Matahari", 1,
         "menyambut wisatawan pada peristiwa kulminasi matahari", "Tugu Khatulistiwa",
         ("Pariwisata", "Pemkot Pontianak", "Lestari Handayani")),
        ("Harga Cabai di Pasar Flamboyan Mulai Turun", 0,
         "memantau harga bahan pokok", "Pasar Flamboyan",
         ("Ekonomi", "Harga Sembako", "Pemkot Pontianak")),
        ("Kapolresta Pontianak Tingkatkan Patroli Malam Jelang Tahun Baru", 3,
         "memimpin apel patroli malam", "Jalan Tanjungpura",
         ("Keamanan", "Polresta Pontianak", "Kalbar")),
        ("Layanan Adminduk Keliling Sambangi Kelurahan Siantan Hulu", 1,
         "meninjau layanan administrasi kependudukan keliling", "Siantan Hulu",
         ("Pelayanan Publik", "Pemkot Pontianak")),
        ("Pontianak Raih Penghargaan Kota Layak Anak Kategori Nindya", 0,
         "menerima penghargaan Kota Layak Anak", "Pontianak Selatan",
         ("Pemkot Pontianak", "Bambang Wijaya", "Pendidikan", "Kalbar")),
        ("Gotong Royong Bersihkan Parit di Pontianak Tenggara Libatkan Ratusan Warga", 1,
         "memimpin gotong royong membersihkan parit", "Pontianak Tenggara",
         ("Lingkungan", "Lestari Handayani", "Pemkot Pontianak")),
        ("Wakil Wali Kota Pontianak Minta Warga Waspadai Demam Berdarah", 1,
         "meninjau pengasapan di permukiman warga", "Pontianak Barat",
         ("Kesehatan", "Lestari Handayani", "Demam Berdarah")),
        ("Pembangunan Jembatan Kapuas Tiga Masuki Tahap Akhir", 0,
         "meninjau pembangunan jembatan", "Pontianak Timur",
         ("Infrastruktur", "Bambang Wijaya", "Pemkot Pontianak", "Kalbar")),
        ("Operasi Pasar Beras Digelar di Enam Kecamatan Kota Pontianak", 0,
         "membuka operasi pasar beras", "Pontianak Kota",
         ("Ekonomi", "Pemkot Pontianak", "Harga Sembako")),
        ("Pemkot Pontianak Luncurkan Aplikasi Pengaduan Warga", 0,
         "meluncurkan aplikasi pengaduan warga", "Pontianak Kota",
         ("Pemkot Pontianak", "Pelayanan Publik", "Bambang Wijaya")),
    ),
    "kubu-raya": (
        ("Bupati Kubu Raya Resmikan Jalan Desa di Sungai Ambawang", 0,
         "meresmikan jalan desa", "Sungai Ambawang",
         ("Pemkab Kubu Raya", "Ridwan Harahap", "Infrastruktur", "Kalbar")),
        ("Petani Rasau Jaya Mulai Panen Raya Padi", 2,
         "mengikuti panen raya padi", "Rasau Jaya",
         ("Pertanian", "Pemkab Kubu Raya")),
        ("Kebakaran Lahan di Sungai Kakap Berhasil Dipadamkan", 3,
         "memantau pemadaman kebakaran lahan", "Sungai Kakap",
         ("Karhutla", "Kalbar", "Pemkab Kubu Raya")),
        ("Pemkab Kubu Raya Salurkan Bantuan Sosial untuk Warga Terdampak Banjir", 0,
         "menyalurkan bantuan sosial", "Sungai Raya",
         ("Bansos", "Banjir", "Pemkab Kubu Raya", "Ridwan Harahap")),
        ("Pelatihan UMKM Digelar di Desa Limbung", 1,
         "membuka pelatihan pelaku UMKM", "Desa Limbung",
         ("UMKM", "Pemkab Kubu Raya", "Maimunah")),
        ("Kapolres Kubu Raya Pantau Arus Mudik di Jalan Trans Kalimantan", 3,
         "memantau arus mudik", "Jalan Trans Kalimantan",
         ("Keamanan", "Mudik", "Kalbar")),
        ("Distribusi Air Bersih untuk Warga Teluk Pakedai Ditambah", 1,
         "meninjau distribusi air bersih", "Teluk Pakedai",
         ("Air Bersih", "Pemkab Kubu Raya", "Maimunah")),
        ("Penyaluran Pupuk Bersubsidi di Kubu Raya Diawasi Ketat", 2,
         "mengawasi penyaluran pupuk bersubsidi", "Sungai Raya",
         ("Pertanian", "Pemkab Kubu Raya")),
        ("Seleksi Paskibraka Kubu Raya Diikuti 120 Pelajar", 1,
         "membuka seleksi Paskibraka", "Sungai Raya",
         ("Pendidikan", "Pemkab Kubu Raya", "Maimunah", "Kalbar")),
        ("Wisata Mangrove Batu Ampar Mulai Dilirik Wisatawan", 0,
         "meninjau kawasan wisata mangrove", "Batu Ampar",
         ("Pariwisata", "Lingkungan", "Ridwan Harahap")),
        ("Dinas Pertanian Kubu Raya Kembangkan Jagung di Lahan Gambut", 2,
         "meninjau penanaman jagung di lahan gambut", "Kuala Mandor B",
         ("Pertanian", "Pemkab Kubu Raya", "Kalbar")),
        ("Ratusan Warga Kuala Mandor B Ikuti Pengobatan Gratis", 1,
         "membuka pengobatan gratis", "Kuala Mandor B",
         ("Kesehatan", "Pemkab Kubu Raya")),
        ("Jembatan Gantung di Terentang Diperbaiki", 0,
         "meninjau perbaikan jembatan gantung", "Terentang",
         ("Infrastruktur", "Ridwan Harahap", "Pemkab Kubu Raya")),
        ("Pemkab Kubu Raya Percepat Pembangunan Puskesmas Sungai Raya Dalam", 0,
         "meninjau pembangunan puskesmas", "Sungai Raya Dalam",
         ("Kesehatan", "Infrastruktur", "Pemkab Kubu Raya", "Ridwan Harahap")),
    ),
    "ketapang": (
        ("Banjir Rendam Tiga Desa di Nanga Tayap", 3,
         "meninjau desa yang terendam banjir", "Nanga Tayap",
         ("Banjir", "Pemkab Ketapang", "Kalbar")),
        ("Bupati Ketapang Tinjau Perbaikan Jalan Siduk", 0,
         "meninjau perbaikan jalan", "Siduk",
         ("Infrastruktur", "Antonius Budiman", "Pemkab Ketapang")),
        ("Harga Karet di Ketapang Kembali Naik", 0,
         "berdialog dengan petani karet", "Sandai",
         ("Ekonomi", "Pertanian", "Pemkab Ketapang")),
        ("Dinas PUPR Ketapang Targetkan Jalan Sandai Tuntas Akhir Tahun", 2,
         "memantau peningkatan jalan", "Sandai",
         ("Infrastruktur", "Pemkab Ketapang", "Kalbar")),
        ("Nelayan Kendawangan Terima Bantuan Alat Tangkap", 0,
         "menyerahkan bantuan alat tangkap", "Kendawangan",
         ("Bansos", "Nelayan", "Antonius Budiman", "Pemkab Ketapang")),
        ("Pemkab Ketapang Gelar Festival Budaya Tanah Kayong", 1,
         "membuka festival budaya", "Delta Pawan",
         ("Budaya", "Pemkab Ketapang", "Hj Rosnani")),
        ("Kebakaran Hutan dan Lahan di Matan Hilir Selatan Meluas", 0,
         "meninjau lokasi kebakaran hutan dan lahan", "Matan Hilir Selatan",
         ("Karhutla", "Kalbar", "Pemkab Ketapang")),
        ("Vaksinasi Ternak Digelar di Benua Kayong", 1,
         "memantau vaksinasi ternak", "Benua Kayong",
         ("Pertanian", "Kesehatan", "Pemkab Ketapang")),
        ("Pelajar Ketapang Juara Olimpiade Sains Tingkat Provinsi", 0,
         "menerima pelajar peraih medali olimpiade sains", "Delta Pawan",
         ("Pendidikan", "Antonius Budiman", "Kalbar")),
        ("Wakil Bupati Ketapang Minta Warga Hemat Air Saat Kemarau", 1,
         "meninjau sumber air baku", "Muara Pawan",
         ("Air Bersih", "Hj Rosnani", "Pemkab Ketapang")),
        ("Pasar Murah Ramadan Digelar di Delta Pawan", 1,
         "membuka pasar murah Ramadan", "Delta Pawan",
         ("Ekonomi", "Pasar Murah", "Pemkab Ketapang", "Hj Rosnani")),
        ("Jalur Sungai Pawan Kembali Ramai Dilalui Perahu Motor", 2,
         "memantau dermaga penyeberangan", "Sungai Pawan",
         ("Transportasi", "Pemkab Ketapang")),
        ("Puskesmas Muara Pawan Tambah Layanan Persalinan", 1,
         "meresmikan ruang persalinan", "Muara Pawan",
         ("Kesehatan", "Pemkab Ketapang", "Kalbar")),
        ("Ratusan Guru Honorer di Ketapang Ikuti Seleksi PPPK", 0,
         "memantau seleksi PPPK", "Delta Pawan",
         ("Pendidikan", "Antonius Budiman", "Pemkab Ketapang", "Kalbar")),
    ),
}  # fmt: skip

# Tips rows: (title, official index, who benefits, three steps, tag candidates).
_TIPS: tuple[tuple[str, int, str, tuple[str, str, str], tuple[str, ...]], ...] = (
    ("5 Cara Mudah Menjaga Kesehatan Saat Musim Hujan", 0, "keluarga",
     ("Biasakan mencuci tangan dengan sabun sebelum makan",
      "Konsumsi sayur dan buah setiap hari",
      "Keringkan badan dan ganti pakaian setelah kehujanan"),
     ("Tips", "Kesehatan", "Musim Hujan")),
    ("Tips Hemat Belanja Jelang Ramadan", 1, "ibu rumah tangga",
     ("Buat daftar belanja dan patuhi anggaran",
      "Bandingkan harga di pasar tradisional dan swalayan",
      "Hindari belanja saat lapar"),
     ("Tips", "Ekonomi", "Ramadan")),
    ("Begini Cara Mencegah Demam Berdarah di Rumah", 0, "warga",
     ("Kuras tempat penampungan air sekurang-kurangnya sepekan sekali",
      "Tutup rapat wadah penyimpanan air",
      "Gunakan kelambu saat tidur siang"),
     ("Tips", "Kesehatan", "Demam Berdarah")),
    ("4 Langkah Mengatur Keuangan Keluarga", 1, "keluarga muda",
     ("Pisahkan rekening kebutuhan rumah tangga dan tabungan",
      "Catat setiap pengeluaran harian",
      "Sisihkan dana darurat setiap menerima gaji"),
     ("Tips", "Ekonomi")),
    ("Tips Memulai Usaha Kuliner Rumahan", 2, "pelaku usaha pemula",
     ("Mulailah dari menu yang paling dikuasai",
      "Hitung modal dan harga jual dengan cermat",
      "Manfaatkan media sosial untuk memasarkan produk"),
     ("Tips", "UMKM", "Linda Wulandari")),
    ("Cara Merawat Sepeda Motor Setelah Menerjang Genangan", 3, "pengendara",
     ("Bilas rangka dan rantai dengan air bersih",
      "Periksa kondisi rem sebelum kembali berkendara",
      "Ganti oli bila warnanya berubah keruh"),
     ("Tips", "Banjir", "Transportasi")),
    ("Begini Cara Memilih Ikan Segar di Pasar", 0, "pembeli",
     ("Perhatikan warna insang yang merah cerah",
      "Pilih ikan dengan mata yang jernih",
      "Tekan daging ikan dan pastikan kembali kenyal"),
     ("Tips", "Kesehatan", "Pasar Murah")),
    ("6 Tips Aman Berkendara Saat Kabut Asap", 3, "pengendara",
     ("Nyalakan lampu utama meski siang hari",
      "Kurangi kecepatan dan jaga jarak aman",
      "Gunakan masker yang menutup hidung dan mulut"),
     ("Tips", "Karhutla", "Transportasi", "Kalbar")),
    ("Cara Menyimpan Dokumen Penting Agar Aman dari Banjir", 3, "warga di daerah rawan banjir",
     ("Simpan dokumen di dalam wadah kedap air",
      "Letakkan wadah di tempat yang tinggi",
      "Buat salinan digital setiap dokumen"),
     ("Tips", "Banjir")),
    ("Tips Memilih Sayuran Segar untuk Keluarga", 0, "keluarga",
     ("Pilih sayuran dengan daun yang tidak layu",
      "Hindari sayuran yang berlubang atau berlendir",
      "Cuci sayuran dengan air mengalir sebelum dimasak"),
     ("Tips", "Kesehatan")),
    ("3 Cara Menghemat Listrik di Rumah", 1, "keluarga",
     ("Cabut pengisi daya yang tidak dipakai",
      "Manfaatkan cahaya matahari pada siang hari",
      "Atur pendingin ruangan pada suhu 25 derajat"),
     ("Tips", "Ekonomi", "Lingkungan")),
    ("Begini Cara Membuat Kompos dari Sampah Dapur", 3, "warga",
     ("Pisahkan sampah organik dari plastik",
      "Campur sisa sayuran dengan daun kering",
      "Aduk campuran setiap tiga hari agar tidak berbau"),
     ("Tips", "Lingkungan", "Gusti Ramadhan")),
    ("Tips Menjaga Daya Tahan Tubuh Anak Saat Pancaroba", 0, "orang tua",
     ("Pastikan anak tidur cukup setiap malam",
      "Berikan makanan bergizi seimbang",
      "Lengkapi imunisasi sesuai jadwal"),
     ("Tips", "Kesehatan", "Imunisasi", "dr Melati Kusuma")),
    ("Cara Mudah Mengurus Kartu Identitas Anak", 2, "orang tua",
     ("Siapkan salinan akta kelahiran dan kartu keluarga",
      "Datangi kantor kelurahan atau layanan keliling",
      "Periksa kembali data sebelum kartu dicetak"),
     ("Tips", "Pelayanan Publik")),
)  # fmt: skip

# The one post filed under two categories (primary first), like the site's "PontianakTips" page.
_DUAL = (
    "Musim Hujan Tiba, BPBD Kalbar Imbau Warga Pontianak Bersihkan Saluran Air", 4,
    "mengimbau warga membersihkan saluran air", "Pontianak Selatan",
    ("BPBD Kalbar", "Banjir", "Tips", "Syarif Hamdani"),
)  # fmt: skip

_REPORTERS = ("jim", "Fai", "Jau", "Adi LC")  # site-notes §1: "(jim)", "(Fai)", "(Jau)", "(Adi LC)"
_UNITS = ("warga", "kepala keluarga", "rumah", "peserta", "titik")
_CLAUSES = (
    "program ini dapat terus berlanjut hingga tahun depan",
    "koordinasi antarinstansi terus diperkuat agar hasilnya maksimal",
    "anggaran kegiatan bersumber dari APBD tahun berjalan",
    "pihaknya akan mengevaluasi pelaksanaan kegiatan secara berkala",
    "warga dapat menyampaikan keluhan melalui kanal pengaduan resmi",
    "petugas gabungan disiagakan di sejumlah titik rawan",
    "kegiatan serupa akan digelar di kecamatan lain secara bergiliran",
    "data penerima manfaat sudah diverifikasi ulang oleh dinas terkait",
)
_TIPS_CLAUSES = (
    "Kebiasaan ini sebaiknya dilakukan secara rutin",
    "Cara ini juga dianjurkan oleh tenaga kesehatan",
    "Langkah tersebut tidak memerlukan peralatan khusus",
    "Anggota keluarga lain sebaiknya ikut dilibatkan",
)
_SUBTITLES = (
    "Targetkan Rampung Sebelum Akhir Tahun",
    "Warga Diminta Tetap Waspada",
    "Libatkan Seluruh Perangkat Daerah",
    "Pemerintah Siapkan Anggaran Tambahan",
    "Bukti Keseriusan Pemerintah Daerah",
    "Dua Bulan Jalani Masa Persiapan",
    "Sasar Warga di Kawasan Pinggiran",
)
_ALT_DESCRIPTIONS = (
    "Suasana kegiatan",
    "Foto ilustrasi",
    "Petugas di lokasi",
    "Warga mengikuti kegiatan",
)
_SIZES = ((1600, 900), (1280, 853), (800, 600))


def _slug(title: str) -> str:
    """WordPress's sanitize_title for these ascii titles: punctuation dropped, spaces to dashes."""
    text = re.sub(r"[^a-z0-9 _-]", "", title.lower())
    return re.sub(r"-+", "-", re.sub(r"\s+", "-", text)).strip("-")


def _dates(n: int) -> list[datetime]:
    """n distinct local times, in order, spread from January 2023 to December 2025."""
    start = datetime(2023, 1, 4, 7, 12, 5)
    return [
        start
        + timedelta(
            days=i * 18 + (i * 7) % 11,
            hours=(i * 5) % 14,
            minutes=(i * 17) % 60,
            seconds=(i * 29) % 60,
        )
        for i in range(n)
    ]


def _event_date(moment: datetime, i: int) -> str:
    """An in-body event date as reporters write it: `Rabu (3/5)`, `Rabu (28/08/2024)`."""
    day = DAYS[moment.weekday()]
    style = i % 3
    if style == 0:
        return f"{day} ({moment.day}/{moment.month})"
    if style == 1:
        return f"{day} ({moment.day}/{moment.month}/{moment.year})"
    return f"{day} ({moment.day:02d}/{moment.month:02d}/{moment.year})"


def _opening(moment: datetime, category: str, i: int) -> str:
    if moment.year >= 2025:
        return "KALBARONLINE.com – "
    if moment.year == 2024 and i % 5 == 0:
        return "KalbarOnline.com - "
    return f"KalbarOnline, {_DATELINE_PLACE[category]} – "


def _pick(seq: tuple[str, ...], i: int, k: int = 0) -> str:
    return seq[(i * 7 + k * 3) % len(seq)]


def _news_paragraphs(
    row: tuple[str, int, str, str, tuple[str, ...]], category: str, i: int, when: datetime
) -> tuple[list[str], str, str]:
    """Paragraphs without dateline or sign-off, plus (sentence, its edited form)."""
    _title, off, activity, place, _tags = row
    office, person = _OFFICIALS[category][off]
    count = 40 + (i * 37) % 900
    unit = _pick(_UNITS, i)
    fact = f"Berdasarkan data {_pick(AGENCIES, i)}, sedikitnya {count} {unit} tercatat dalam kegiatan tersebut."
    edited = f"Berdasarkan data terbaru {_pick(AGENCIES, i)}, sedikitnya {count + 15} {unit} tercatat dalam kegiatan tersebut."
    pool = [
        f"{fact} Pihaknya menyebut {_pick(_CLAUSES, i, 1)}.",
        f"“{_pick(QUOTES, i)},” {_pick(SPEECH, i)} {person}.",
        f"Menurut {person}, {_pick(_CLAUSES, i, 2)}. Ia menambahkan, {_pick(_CLAUSES, i, 3)}.",
        f"Sementara itu, salah seorang warga {place}, {_pick(CITIZENS, i)}, mengaku "
        f"{_pick(FEELINGS, i)}. “{_pick(QUOTES, i, 1)},” katanya.",
        f"Pihaknya menargetkan seluruh rangkaian kegiatan di {place} rampung pada "
        f"{MONTHS[(when.month + 1) % 12]} mendatang.",
        f"Ia berharap {_pick(_CLAUSES, i, 4)}. “{_pick(QUOTES, i, 2)},” {_pick(SPEECH, i, 1)}nya.",
    ]
    lead = (
        f"{office}, {person}, {activity} di {place} pada {_event_date(when, i)}. "
        f"Kegiatan tersebut turut dihadiri {_pick(GUESTS, i)}."
    )
    extra = (i * 5) % 4  # 3 to 6 paragraphs after the lead
    return [lead, *pool[: 3 + extra]], fact, edited


def _tips_paragraphs(
    row: tuple[str, int, str, tuple[str, str, str], tuple[str, ...]], i: int
) -> tuple[list[str], str, str]:
    _title, off, who, steps, _tags = row
    office, person = _OFFICIALS["tips"][off]
    sentence = f"{person} menyebut langkah-langkah berikut bisa dilakukan tanpa biaya besar."
    edited = f"{person} menyebut langkah-langkah berikut bisa dilakukan seluruh anggota keluarga tanpa biaya besar."
    paragraphs = [
        f"Ada sejumlah langkah sederhana yang bisa dilakukan {who}. Menurut {office}, {person}, "
        f"kebiasaan kecil yang dilakukan setiap hari memberi dampak besar. {sentence}",
        f"Pertama, {steps[0][0].lower()}{steps[0][1:]}. Langkah ini paling mudah dan bisa dimulai hari ini.",
        f"Kedua, {steps[1][0].lower()}{steps[1][1:]}. {_pick(_TIPS_CLAUSES, i)}.",
        f"Ketiga, {steps[2][0].lower()}{steps[2][1:]}.",
        f"“{_pick(QUOTES, i)},” {_pick(SPEECH, i)} {person}.",
    ]
    if i % 2:
        paragraphs.insert(
            4,
            f"Ia menambahkan, {who} dapat berkonsultasi ke puskesmas atau kantor kelurahan terdekat.",
        )
    return paragraphs, sentence, edited


def _baca_juga(target_title: str, target_date: datetime) -> str:
    d = target_date
    href = f"{{BASE}}/{d.year:04d}/{d.month:02d}/{d.day:02d}/{_slug(target_title)}/"
    return f'<p><strong>Baca Juga: <a href="{href}">{target_title}</a></strong></p>'


def _order() -> list[tuple[str, tuple]]:
    """All story rows, categories interleaved evenly over time."""
    groups: list[tuple[str, list[tuple]]] = [
        ("pontianak", [*_NEWS["pontianak"][:8], _DUAL, *_NEWS["pontianak"][8:]]),
        ("kubu-raya", list(_NEWS["kubu-raya"])),
        ("ketapang", list(_NEWS["ketapang"])),
        ("tips", list(_TIPS)),
    ]
    ranked = [
        ((j + 0.5) / len(rows), g, cat, row)
        for g, (cat, rows) in enumerate(groups)
        for j, row in enumerate(rows)
    ]
    ranked.sort(key=lambda r: (r[0], r[1]))
    return [(cat, row) for _, _, cat, row in ranked]


def _fmt(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _build() -> list[Post]:
    stories = _order()
    dates = _dates(len(stories))
    titles = [row[0] for _, row in stories]
    posts: list[Post] = []
    image_no = 0
    for i, ((category, row), when) in enumerate(zip(stories, dates, strict=True)):
        title = row[0]
        event = when - timedelta(days=i % 2)
        if category == "tips":
            paragraphs, sentence, edited_sentence = _tips_paragraphs(row, i)
        else:
            paragraphs, sentence, edited_sentence = _news_paragraphs(row, category, i, event)
        opening = _opening(when, category, i)
        paragraphs[0] = opening + paragraphs[0]
        dateline = _DATELINE_PLACE[category] if opening.startswith("KalbarOnline, ") else None
        signoff = i % 5 != 4  # most posts end with the reporter's initials
        reporter = _REPORTERS[(i * 3) % 4] if signoff else None
        if reporter:
            paragraphs[-1] += f" ({reporter})"
        html = [f"<p>{p}</p>" for p in paragraphs]
        if i % 3 == 1:  # "Baca Juga" in the middle, once or twice
            targets = [(i * 7 + 3) % len(stories), (i * 11 + 5) % len(stories)]
            targets = [t for t in dict.fromkeys(targets) if t != i][: 1 + (i % 2)]
            for n, t in enumerate(targets):
                html.insert(2 + 2 * n, _baca_juga(titles[t], dates[t]))
        content = "\n\n".join(html)  # wpautop turns blank lines into paragraph breaks
        modified = edited_content = None
        if i % 4 == 2:
            modified = _fmt(when + timedelta(hours=3 + i % 40, minutes=(i * 13) % 60))
            edited_content = content.replace(sentence, edited_sentence, 1)
        image = None
        if i % 3 != 2:
            width, height = _SIZES[image_no % 3]
            office, person = _OFFICIALS[category][row[1]]
            mode = image_no % 4
            caption = ""
            if mode in (0, 2):
                caption = (
                    f"{office[0].upper()}{office[1:]}, {person}, saat kegiatan di {_DATELINE_PLACE[category]}, "
                    f"{DAYS[event.weekday()]} ({event.day}/{event.month}). "
                    f"(Foto: {_REPORTERS[(i * 3) % 4]}/KalbarOnline)"
                )
            if mode in (0, 1):
                alt = title
            elif mode == 2 or image_no % 8 == 3:
                alt = _ALT_DESCRIPTIONS[image_no % len(_ALT_DESCRIPTIONS)]
            else:
                alt = ""
            image = Image(
                filename="-".join(_slug(title).split("-")[:5]) + ".jpg",
                width=width,
                height=height,
                caption=caption,
                alt=alt,
                color=((i * 53) % 200 + 30, (i * 97) % 200 + 30, (i * 31) % 200 + 30),
            )
            image_no += 1
        candidates = row[-1]
        posts.append(
            Post(
                key=f"p{i + 1:02d}",
                title=title,
                subtitle=_SUBTITLES[(i // 3) % len(_SUBTITLES)] if i % 3 == 0 else None,
                author=AUTHORS[(i + i // 4) % len(AUTHORS)].login,
                categories=("pontianak", "tips") if row is _DUAL else (category,),
                tags=tuple(candidates[: i % 5]),
                date=_fmt(when),
                modified=modified,
                edited_content=edited_content,
                content=content,
                image=image,
                dateline=dateline,
                reporter=reporter,
            )
        )
    return posts


POSTS: list[Post] = _build()


def as_seed(base_url: str) -> dict[str, object]:
    """What php/seed.php reads: this module's data as JSON-ready dicts, ``{BASE}`` filled in."""

    def fill(text: str | None) -> str | None:
        return None if text is None else text.replace("{BASE}", base_url)

    posts = []
    for post in POSTS:
        row = asdict(post)
        row["content"], row["edited_content"] = fill(post.content), fill(post.edited_content)
        posts.append(row)
    return {
        "authors": [asdict(a) for a in AUTHORS],
        "categories": [asdict(c) for c in CATEGORIES],
        "posts": posts,
    }
