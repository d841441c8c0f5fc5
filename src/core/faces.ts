/**
 * Face records: what a face backend measured on one photo, as the catalog stores it and the
 * scoring reads it. Pure data. "Left" and "right" are the person's own (the viewer's right
 * for their left eye), as face landmark models name them.
 */

/** One eye's openness. */
export interface EyeMeasure {
  /**
   * Eye aspect ratio: mean gap between the upper and lower lid (three point pairs) divided by
   * the eye's width (corner to corner). About 0.3–0.45 when open on the Human mesh, near 0 when
   * shut; narrow eyes sit lower but stay steady from frame to frame.
   */
  readonly aspect: number;
  /**
   * Vertical lid gap at the eye's centre divided by the iris diameter: how much of the iris
   * shows (1 = all of it, 0 = none). Null when the backend has no iris landmarks.
   */
  readonly irisShown: number | null;
}

/** A rectangle as fractions of the frame's width and height (0..1). */
export interface RelativeBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface FaceRecord {
  /** Detector confidence, 0..1. */
  readonly confidence: number;
  /** Face box relative to the frame. */
  readonly box: RelativeBox;
  /** Head turn left/right and up/down, in degrees (0 = facing the camera). */
  readonly yaw: number;
  readonly pitch: number;
  readonly leftEye: EyeMeasure;
  readonly rightEye: EyeMeasure;
  /** "happy" probability of the expression model, 0..1. */
  readonly happy: number;
  /**
   * Mouth geometry, 0..1: corners raised above the lips' centre and a mouth wide for the face
   * (both measured in the face's own frame, so a tilted head does not fake a smile).
   */
  readonly smileShape: number;
  /** Combined smile estimate, 0..1 (about 0.5 and up reads as smiling). */
  readonly smile: number;
  /**
   * Variance of the Laplacian over luma variance on the face crop resampled to a fixed size
   * (the same measure as whole-image sharpness, so contrast and crop size cancel out).
   */
  readonly sharpness: number;
  /** Identity descriptor (1024 values for Human); empty when the backend gives none. */
  readonly descriptor: Float32Array;
}

/** The outcome of analyzing one photo. */
export interface FaceAnalysis {
  /** Which backend and settings produced it, e.g. "human-3.3.6/1600/1". */
  readonly analyzer: string;
  /** Size of the decode the faces were found on (boxes are relative to it). */
  readonly width: number;
  readonly height: number;
  readonly faces: readonly FaceRecord[];
  /** Why there are no faces when analysis failed on this photo (bad decode, model error), else null. */
  readonly note: string | null;
}
