# Writes python-written.csv as the Python SDK's write_metadata_dict_to_csv
# does (csv.writer, delimiter ';', quotechar '"', QUOTE_MINIMAL, header =
# the keys of the first entry, None as empty), from the rows below. Run:
#   python3 python-csv.py > python-written.csv
import csv, sys

rows = [
    {"external_id": "/data/slides/case 1/aperio.svs", "checksum_base64_crc32c": "lFtxlQ==",
     "resolution_mpp": 0.252, "width_px": 1200, "height_px": 900, "staining_method": "H&E",
     "tissue": "LUNG", "disease": "LUNG_CANCER", "platform_bucket_url": None},
    {"external_id": "/data/slides/semi;colon \"quoted\".tiff", "checksum_base64_crc32c": "0bXQpg==",
     "resolution_mpp": 0.254, "width_px": 1200, "height_px": 900, "staining_method": None,
     "tissue": None, "disease": None, "platform_bucket_url": "gs://bucket/user/slides/semi.tiff"},
    {"external_id": "/data/slides/no-mpp.tiff", "checksum_base64_crc32c": "rBVCbQ==",
     "resolution_mpp": 0.0, "width_px": 600, "height_px": 400, "staining_method": None,
     "tissue": None, "disease": None, "platform_bucket_url": None},
    {"external_id": "/data/slides/dicom/level-0.dcm", "checksum_base64_crc32c": "viwiOA==",
     "resolution_mpp": 0.26, "width_px": 512, "height_px": 384, "staining_method": "H&E",
     "tissue": "BREAST", "disease": "BREAST_CANCER", "platform_bucket_url": None},
    {"external_id": "/data/slides/whole.tiff", "checksum_base64_crc32c": "JZZ+NA==",
     "resolution_mpp": 1.0, "width_px": 1200, "height_px": 900, "staining_method": None,
     "tissue": None, "disease": None, "platform_bucket_url": None},
]
w = csv.writer(sys.stdout, delimiter=";", quotechar='"', quoting=csv.QUOTE_MINIMAL)
w.writerow(rows[0].keys())
for r in rows:
    w.writerow(r.values())
