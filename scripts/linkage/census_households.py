#!/usr/bin/env python3
"""An English-language household set without identifiers, with ground truth, from the simulated
US population that ships inside the `pseudopeople` wheel (installs from PyPI; no download at run
time): the 2020 decennial census noised twice (the second enumeration keeps 60 % of the rows, as a
follow-up survey would), plus the American Community Survey and the Current Population Survey
samples, each with pseudopeople's default noise (typos, phonetic and OCR errors, nicknames, swapped
month and day, missing values, people recorded at another address). Persons live in households:
the same address and surname, children close in age, often the same first-name initial.

    python census_households.py --out DIR

writes DIR/census.csv (`id,name,first,middle,last,birth,address,sex`; birth written YYYY-MM-DD
where the source's MM/DD/YYYY has a four-digit year, as noised otherwise) and DIR/census_truth.csv (`id,cluster_id`, the simulant). Deterministic:
every noise step has a fixed seed.
"""
import argparse
import os
import warnings

import pandas as pd
import pseudopeople as psp

warnings.filterwarnings("ignore")


def text(df, col):
    return df[col].astype(str).replace({"nan": "", "<NA>": "", "None": ""})


def iso(date):
    parts = date.split("/")
    if len(parts) == 3 and len(parts[2]) == 4:
        return f"{parts[2]}-{parts[0]}-{parts[1]}"
    return date


def prepare(df, tag):
    df = df.copy()
    out = pd.DataFrame(index=df.index)
    out["id"] = tag + df.index.astype(str)
    first, middle, last = text(df, "first_name"), text(df, "middle_initial"), text(df, "last_name")
    out["name"] = (first + " " + middle + " " + last).str.split().str.join(" ")
    out["first"], out["middle"], out["last"] = first, middle, last
    out["birth"] = text(df, "date_of_birth").map(iso)
    parts = [text(df, c) for c in
             ("street_number", "street_name", "unit_number", "city", "state", "zipcode")]
    address = parts[0]
    for p in parts[1:]:
        address = address + " " + p
    out["address"] = address.str.split().str.join(" ")
    out["sex"] = text(df, "sex")
    out["cluster_id"] = text(df, "simulant_id")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    frames = [
        prepare(psp.generate_decennial_census(seed=1), "a"),
        prepare(psp.generate_decennial_census(seed=2).sample(frac=0.6, random_state=3), "b"),
        prepare(psp.generate_american_community_survey(seed=4), "c"),
        prepare(psp.generate_current_population_survey(seed=5), "d"),
    ]
    records = pd.concat(frames).sample(frac=1.0, random_state=9)
    cols = ["id", "name", "first", "middle", "last", "birth", "address", "sex"]
    records[cols].to_csv(os.path.join(args.out, "census.csv"), index=False)
    records[["id", "cluster_id"]].to_csv(os.path.join(args.out, "census_truth.csv"), index=False)
    print(f"census: {len(records)} records, {records.cluster_id.nunique()} persons")


if __name__ == "__main__":
    main()
