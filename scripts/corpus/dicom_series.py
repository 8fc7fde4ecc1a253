"""Headers and pixel buffers for the synthetic series of the benchmark corpus: CT Image (PS3.3
A.3), MR Image (A.4) and a multi-frame Enhanced CT-like object (A.38), with the attributes a real
scanner writes, so per-file parsing costs what it costs on hospital data. Pixel Data (7FE0,0010)
is appended by hand after pydicom writes the header (PS3.5 §7.1.2 explicit VR, 4-byte length).
"""
import io
import struct
import zlib
from dataclasses import dataclass

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian

from zip_writer import raw_deflate

CT_SIZE = 512
MR_SIZE = 256
CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2"
MR_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.4"
ENHANCED_CT_STORAGE = "1.2.840.10008.5.1.4.1.1.2.1"
UID_ROOT = "1.2.826.0.1.3680043.10.1518.7"
CT_NOISE_SIGMA = 10  # HU noise inside the body; with air outside this deflates ~4x, like real CT
MR_NOISE_SIGMA = 18
AIR = 0  # stored value; RescaleIntercept -1024 makes it -1024 HU
SLICE_SPACING_MM = 2.5
PIXEL_DATA_TAG = (0x7FE0, 0x0010)
STORED_MAX = 4095


@dataclass
class Pixels:
    raw: bytes
    deflated: bytes

    def crc_after(self, prefix):
        return zlib.crc32(self.raw, zlib.crc32(prefix))


def PixelVariants(raws):  # noqa: N802 - reads like the list type it builds
    return [Pixels(r, raw_deflate(r)) for r in raws]


def _ellipse(x, y, cx, cy, rx, ry):
    return ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 < 1


def ct_pixels(rng, n, variant):
    """A body-like axial slice: fat ring, soft tissue, two lungs, spine and aorta, plus noise."""
    y, x = np.mgrid[0:n, 0:n].astype(np.float32)
    c, d = n / 2, variant * 0.004 * n  # structures drift a little between variants
    img = np.zeros((n, n), np.float32)
    body = _ellipse(x, y, c, c, 0.45 * n, 0.33 * n)
    img[body] = 930
    img[_ellipse(x, y, c, c, 0.42 * n, 0.30 * n)] = 1064
    img[_ellipse(x, y, c - 0.18 * n, c - 0.03 * n, 0.12 * n + d, 0.16 * n)] = 200
    img[_ellipse(x, y, c + 0.18 * n, c - 0.03 * n, 0.12 * n, 0.16 * n + d)] = 200
    img[_ellipse(x, y, c, c + 0.22 * n, 0.05 * n, 0.05 * n)] = 1900
    img[_ellipse(x, y, c + d, c + 0.05 * n, 0.04 * n, 0.04 * n)] = 1100
    img = np.where(body, img + rng.normal(0, CT_NOISE_SIGMA, (n, n)).astype(np.float32), AIR)
    return np.clip(img, 0, STORED_MAX).astype("<u2").tobytes()


def mr_pixels(rng, n, variant):
    """A head-like T1 slice: skull ring, brain, ventricles, with Rician-ish noise."""
    y, x = np.mgrid[0:n, 0:n].astype(np.float32)
    c = n / 2
    img = np.zeros((n, n), np.float32)
    head = _ellipse(x, y, c, c, 0.38 * n, 0.45 * n)
    img[head] = 300
    img[_ellipse(x, y, c, c, 0.34 * n, 0.41 * n)] = 620
    img[_ellipse(x, y, c, c, 0.06 * n + variant, 0.12 * n)] = 150
    img = np.abs(np.where(head, img, 0) + rng.normal(0, MR_NOISE_SIGMA, (n, n)).astype(np.float32))
    return np.clip(img, 0, STORED_MAX).astype("<u2").tobytes()


def with_pixel_data(header, length):
    """Header bytes + the Pixel Data element's tag/VR/length; the value bytes follow it."""
    return header + struct.pack("<HH2sHI", *PIXEL_DATA_TAG, b"OW", 0, length)


def _base(seed, study, sop_class, modality, size):
    study_uid = f"{UID_ROOT}.{seed}.{study}"
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = sop_class
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.ImplementationClassUID = f"{UID_ROOT}.1"
    ds.file_meta.ImplementationVersionName = "ZIPFLIGHT_BENCH"
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
    ds.SOPClassUID = sop_class
    ds.StudyDate = f"2024{1 + study % 12:02d}{1 + study % 28:02d}"
    ds.SeriesDate = ds.ContentDate = ds.StudyDate
    ds.StudyTime, ds.SeriesTime, ds.ContentTime = "081502", "081733.120", "081734.554"
    ds.AccessionNumber = f"ACC{seed:02d}{study:07d}"
    ds.Modality = modality
    ds.Manufacturer = "ZIPFLIGHT MEDICAL"
    ds.InstitutionName = "Hôpital Général de Démonstration"
    ds.ReferringPhysicianName = "Martin^Claire^^Dr."
    ds.StationName = "ZF-SCANNER-01"
    ds.StudyDescription = f"{modality} CHEST ABDOMEN PELVIS W CONTRAST"
    ds.ManufacturerModelName = "Benchmark 128"
    ds.PatientName = f"Patient{study:05d}^Synthetic^Q"
    ds.PatientID = f"ZF{seed:02d}{study:07d}"
    ds.PatientBirthDate = f"19{40 + study % 60:02d}0{1 + study % 9}15"
    ds.PatientSex = "FM"[study % 2]
    ds.PatientAge = f"{20 + study % 70:03d}Y"
    ds.BodyPartExamined = "CHEST"
    ds.SoftwareVersions = ["4.2.1", "build 7731"]
    ds.StudyInstanceUID = study_uid
    ds.StudyID = str(study)
    ds.FrameOfReferenceUID = f"{study_uid}.99"
    ds.PositionReferenceIndicator = ""
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows = ds.Columns = size
    ds.PixelSpacing = [0.78125, 0.78125] if size == CT_SIZE else [0.9375, 0.9375]
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    block = ds.private_block(0x0009, "ZIPFLIGHT_PRIVATE", create=True)  # as vendors write them
    block.add_new(0x01, "LO", "RECON 3")
    block.add_new(0x02, "DS", "0.625")
    block.add_new(0x03, "OB", bytes(range(24)))
    return ds


def _instances(ds, seed, study, series, count, frames=1):
    series_uid = f"{UID_ROOT}.{seed}.{study}.{series}"
    ds.SeriesInstanceUID = series_uid
    ds.SeriesNumber = series
    out = []
    for k in range(1, count + 1):
        sop = f"{series_uid}.{k}"
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = sop
        ds.InstanceNumber = k
        z = -k * SLICE_SPACING_MM
        ds.ImagePositionPatient = [-200, -200, z]
        ds.SliceLocation = z
        ds.AcquisitionNumber = 1
        if frames > 1:
            ds.NumberOfFrames = frames
        buf = io.BytesIO()
        ds.save_as(buf, enforce_file_format=True)
        out.append(buf.getvalue())
    return out


def ct_header(seed, study, series, count):
    ds = _base(seed, study, CT_IMAGE_STORAGE, "CT", CT_SIZE)
    ds.SeriesDescription = "AXIAL 2.5mm SOFT TISSUE"
    ds.ScanOptions, ds.SliceThickness, ds.KVP = "HELICAL MODE", 2.5, 120
    ds.DataCollectionDiameter, ds.ReconstructionDiameter = 500, 400
    ds.GantryDetectorTilt, ds.TableHeight, ds.RotationDirection = 0, 160.5, "CW"
    ds.ExposureTime, ds.XRayTubeCurrent, ds.Exposure = 600, 285, 171
    ds.ConvolutionKernel, ds.PatientPosition = "STANDARD", "FFS"
    ds.WindowCenter, ds.WindowWidth = [40, 400], [400, 1500]
    ds.RescaleIntercept, ds.RescaleSlope, ds.RescaleType = -1024, 1, "HU"
    return _instances(ds, seed, study, series, count)


def mr_header(seed, study, series, count):
    ds = _base(seed, study, MR_IMAGE_STORAGE, "MR", MR_SIZE)
    ds.SeriesDescription = "T1 AX SE"
    ds.ScanningSequence, ds.SequenceVariant, ds.ScanOptions = "SE", "SK", "FS"
    ds.MRAcquisitionType, ds.SliceThickness, ds.RepetitionTime = "2D", 5, 500
    ds.EchoTime, ds.NumberOfAverages, ds.ImagingFrequency = 12, 2, 63.87
    ds.MagneticFieldStrength, ds.EchoTrainLength, ds.FlipAngle = 1.5, 1, 90
    ds.WindowCenter, ds.WindowWidth = 400, 900
    return _instances(ds, seed, study, series, count)


def multiframe_header(seed, study, frames):
    ds = _base(seed, study, ENHANCED_CT_STORAGE, "CT", CT_SIZE)
    ds.SeriesDescription = "ENHANCED CT VOLUME"
    shared = Dataset()
    measures = Dataset()
    measures.PixelSpacing, measures.SliceThickness = [0.78125, 0.78125], 2.5
    shared.PixelMeasuresSequence = [measures]
    ds.SharedFunctionalGroupsSequence = [shared]
    per_frame = []
    for f in range(frames):
        item, position = Dataset(), Dataset()
        position.ImagePositionPatient = [-200, -200, -f * SLICE_SPACING_MM]
        item.PlanePositionSequence = [position]
        per_frame.append(item)
    ds.PerFrameFunctionalGroupsSequence = per_frame
    return _instances(ds, seed, study, 1, 1, frames)[0]
