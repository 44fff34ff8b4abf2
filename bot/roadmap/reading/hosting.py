"""Where the system runs: the provider, how the app tier is hosted, and the regions (by price area)."""

from __future__ import annotations

import re

from bot.roadmap.reading.answers import ARCH_FIELDS
from bot.roadmap.reading.facts import Fact
from bot.roadmap.reading.notebook import Notebook
from bot.roadmap.reading.phrases import flatten, keyed_hits, phrase_hits
from bot.roadmap.reading.quotes import excerpt, quote_tokens
from bot.roadmap.reading.tokens import words_before
from bot.roadmap.reading.vocabulary import is_instance_type, role_of, split_words

_PROVIDERS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "aws": (
        split_words(
            "aws|amazon|ec2|rds|aurora|ecs|eks|fargate|lambda|elasticache|dynamodb|lightsail|beanstalk|alb|"
            "elb|nlb|s3|sqs|cloudfront|cloudwatch"
        ),
        (),
    ),
    "gcp": (
        split_words("gcp|gce|gke|google cloud|cloud sql|cloud run|app engine|compute engine|firestore|spanner|alloydb"),
        ("구글 클라우드",),
    ),
    "azure": (("azure", "aks", "cosmos db", "cosmosdb"), ("애저",)),
    "digitalocean": (("digitalocean", "digital ocean", "droplet", "droplets"), ("디지털오션",)),
    "hetzner": (("hetzner",), ("헤츠너",)),
    "linode": (("linode", "linodes"), ()),
    "vultr": (("vultr",), ()),
    "ovh": (("ovh", "ovhcloud"), ()),
    "oracle-cloud": (("oracle cloud", "oci"), ()),
    "naver-cloud": (("naver cloud", "ncloud", "ncp"), ("네이버 클라우드", "네이버클라우드")),
    "kt-cloud": (("kt cloud",), ("kt 클라우드", "kt클라우드")),
    "nhn-cloud": (("nhn cloud", "toast"), ("nhn 클라우드", "nhn클라우드")),
    "cafe24": (("cafe24",), ("카페24",)),
    "heroku": (("heroku", "dyno", "dynos"), ("헤로쿠",)),
    "fly": (("fly.io",), ()),
    "vercel": (("vercel",), ()),
    "on-premises": (
        split_words(
            "on-prem|on prem|on-premise|on-premises|on premises|bare metal|bare-metal|colocation|colo|idc|"
            "own data center|own data centre|our data center|our data centre"
        ),
        ("온프레미스", "자체 서버", "물리 서버", "자체 idc", "베어메탈"),
    ),
}
# Hosting of the app tier, strongest first: pods beat the VMs they run on.
_HOSTING: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "kubernetes": (("kubernetes", "k8s", "eks", "gke", "aks", "pod", "pods", "helm"), ("쿠버네티스", "파드")),
    "serverless": (
        ("lambda", "cloud functions", "azure functions", "serverless", "cloudflare workers"),
        ("서버리스",),
    ),
    "containers": (
        ("ecs", "fargate", "cloud run", "docker", "docker compose", "container", "containers", "nomad"),
        ("컨테이너", "도커"),
    ),
    "paas": (
        ("heroku", "app engine", "elastic beanstalk", "beanstalk", "fly.io", "render.com", "vercel", "dyno", "dynos"),
        (),
    ),
    "bare-metal": (
        ("bare metal", "bare-metal", "dedicated server", "dedicated servers", "on-prem", "on-premises", "idc", "colo"),
        ("물리 서버", "온프레미스", "베어메탈", "자체 서버"),
    ),
    "vm": (
        split_words(
            "ec2|vm|vms|droplet|droplets|compute engine|gce|lightsail|virtual machine|virtual machines|vps|"
            "linode|instance|instances"
        ),
        ("가상 머신", "인스턴스"),
    ),
}
_AWS_REGION = re.compile(
    r"(?:us|eu|ap|sa|ca|me|af|il|mx)-(?:gov-)?(?:east|west|central|north|south|northeast|southeast|northwest|southwest)-\d"
)
_GCP_REGION = re.compile(
    r"(?:asia|europe|us|northamerica|southamerica|australia|me|africa)-"
    r"(?:east|west|central|north|south|northeast|southeast|northwest|southwest)\d{1,2}"
)
_REGION_AREAS: dict[str, str] = {
    word: value
    for value, words in {
        "korea": "ap-northeast-2|asia-northeast3|koreacentral|koreasouth|seoul|busan|korea|서울|부산|한국",
        "japan": "ap-northeast-1|ap-northeast-3|asia-northeast1|asia-northeast2|japaneast|tokyo|osaka|도쿄|오사카",
        "singapore": "ap-southeast-1|asia-southeast1|southeastasia|singapore|싱가포르",
        "australia": "ap-southeast-2|australiaeast|sydney",
        "india": "ap-south-1|centralindia|mumbai",
        "hong-kong": "ap-east-1|hong kong|홍콩",
        "us-east": "us-east-1|us-east-2|us-east1|us-east4|eastus|eastus2|virginia|ohio|버지니아",
        "us-west": "us-west-1|us-west-2|us-west1|westus|westus2|oregon|california|오레곤",
        "us-central": "us-central1|centralus|iowa",
        "eu-west": "eu-west-1|eu-west-2|eu-west-3|europe-west1|europe-west2|westeurope|northeurope|ireland|dublin|"
        "london|paris",
        "eu-central": "eu-central-1|europe-west3|germanywestcentral|frankfurt|프랑크푸르트",
        "eu-north": "eu-north-1|stockholm",
        "south-america": "sa-east-1|southamerica-east1|brazilsouth|sao paulo|são paulo",
        "canada": "ca-central-1|canadacentral|montreal|toronto",
    }.items()
    for word in words.split("|")
}
_REGION_NAMES = {
    "서울": "seoul",
    "부산": "busan",
    "한국": "korea",
    "도쿄": "tokyo",
    "오사카": "osaka",
    "싱가포르": "singapore",
    "홍콩": "hong kong",
    "버지니아": "virginia",
    "오레곤": "oregon",
    "프랑크푸르트": "frankfurt",
}
_REGION_WORDS_EN = tuple(k for k in _REGION_AREAS if k.isascii() and not any(c.isdigit() for c in k))
_REGION_WORDS_KO = tuple(k for k in _REGION_AREAS if not k.isascii())


def _area_of(region: str) -> str | None:
    if region in _REGION_AREAS:
        return _REGION_AREAS[region]
    for prefix, area in (("us-east", "us-east"), ("us-west", "us-west"), ("eu-", "eu-west"), ("europe-", "eu-west")):
        if region.startswith(prefix):
            return area
    if region.startswith(("ap-", "asia-")):
        return "asia"
    return None


_PROVIDERS_FLAT = flatten(_PROVIDERS)
_HOSTING_FLAT = flatten(_HOSTING)


def note_hosting(book: Notebook) -> None:
    """The provider, how the app tier is hosted, and instance types."""
    for name in ("servers", "database", "network"):
        hits = keyed_hits(book.fields[name].lowered, _PROVIDERS_FLAT)
        if hits:
            provider, hit = hits[0]
            book.values["provider"] = provider
            book.read("provider", provider, excerpt(book.fields[name].text, hit.start, hit.end))
            break

    servers = book.fields["servers"]
    hosting = keyed_hits(servers.lowered, _HOSTING_FLAT)
    if hosting:
        rank = list(_HOSTING)
        kind, hit = min(hosting, key=lambda kh: rank.index(kh[0]))
        book.values["app_hosting"] = kind
        book.read("app_hosting", kind, excerpt(servers.text, hit.start, hit.end))

    instance_types: dict[str, str] = {}
    for name in ARCH_FIELDS:
        f = book.fields[name]
        for i, tok in enumerate(f.toks):
            if tok.kind != "id" or not is_instance_type(tok.low):
                continue
            if tok.low.startswith("db"):
                tier = "database"
            elif tok.low.startswith("cache."):
                tier = "cache"
            else:
                roles = [r for q in reversed(words_before(f.toks, i, 3)) if (r := role_of(q)) in ("database", "cache")]
                tier = roles[0] if roles else "database" if name == "database" else "app"
            if tier not in instance_types:
                instance_types[tier] = tok.low
                book.read(f"instance_type:{tier}", tok.text, quote_tokens(f.text, f.toks, i, i))
    book.values["instance_types"] = instance_types
    if "app_hosting" not in book.values and "app" in instance_types:
        book.values["app_hosting"] = "vm"


def note_regions(book: Notebook) -> None:
    """Regions as written, one per area ("Seoul (ap-northeast-2)" is one region)."""
    regions: list[tuple[str, str]] = []  # (region, area)
    for name in ("network", "servers", "database"):
        f = book.fields[name]
        found: list[tuple[int, str, str]] = []
        for tok in f.toks:
            if tok.kind == "id" and (
                _AWS_REGION.fullmatch(tok.low) or _GCP_REGION.fullmatch(tok.low) or tok.low in _REGION_AREAS
            ):
                found.append((tok.start, tok.low, excerpt(f.text, tok.start, tok.end)))
        for hit in phrase_hits(f.lowered, _REGION_WORDS_EN, _REGION_WORDS_KO):
            if not hit.negated:
                found.append((hit.start, hit.phrase, excerpt(f.text, hit.start, hit.end)))
        for _, written, quote in sorted(found):
            region = _REGION_NAMES.get(written, written)
            area = _area_of(region) or region
            if all(area != a for _, a in regions):
                regions.append((region, area))
                book.read("region", region, quote)
    if len(regions) >= 2:
        book.facts.add(Fact.MULTI_REGION)
    book.values.update(regions=tuple(r for r, _ in regions), region_area=regions[0][1] if regions else None)
