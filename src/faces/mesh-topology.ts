/**
 * Facts about the MediaPipe face mesh and iris models that the landmark pipeline needs: which
 * of the 468 mesh points trace each eye's contours, and where the iris model's 76 points for one
 * eye (71 contour points, then 5 iris points) land among them. Data, no logic.
 */

/** The contours the iris model refines, in the order they are replaced. */
export const EYE_CONTOURS = ['upper0', 'upper1', 'upper2', 'lower0', 'lower1', 'lower2', 'lower3', 'browUpper', 'browLower'] as const;
export type EyeContour = (typeof EYE_CONTOURS)[number];

/** Mesh point indices along each contour of one eye. */
export type EyeTopology = Readonly<Record<EyeContour, readonly number[]>>;

/** The person's right eye (image left on a face turned to the camera): outer corner 33, inner 133. */
export const RIGHT_EYE_MESH: EyeTopology = {
  upper0: [246, 161, 160, 159, 158, 157, 173],
  upper1: [247, 30, 29, 27, 28, 56, 190],
  upper2: [113, 225, 224, 223, 222, 221, 189],
  lower0: [33, 7, 163, 144, 145, 153, 154, 155, 133],
  lower1: [130, 25, 110, 24, 23, 22, 26, 112, 243],
  lower2: [226, 31, 228, 229, 230, 231, 232, 233, 244],
  lower3: [143, 111, 117, 118, 119, 120, 121, 128, 245],
  browUpper: [156, 70, 63, 105, 66, 107, 55, 193],
  browLower: [35, 124, 46, 53, 52, 65],
};

/** The person's left eye: outer corner 263, inner 362. */
export const LEFT_EYE_MESH: EyeTopology = {
  upper0: [466, 388, 387, 386, 385, 384, 398],
  upper1: [467, 260, 259, 257, 258, 286, 414],
  upper2: [342, 445, 444, 443, 442, 441, 413],
  lower0: [263, 249, 390, 373, 374, 380, 381, 382, 362],
  lower1: [359, 255, 339, 254, 253, 252, 256, 341, 463],
  lower2: [446, 261, 448, 449, 450, 451, 452, 453, 464],
  lower3: [372, 340, 346, 347, 348, 349, 350, 357, 465],
  browUpper: [383, 300, 293, 334, 296, 336, 285, 417],
  browLower: [265, 353, 276, 283, 282, 295],
};

/** First index, among the iris model's points for one eye, of each contour (consecutive points). */
export const IRIS_MODEL_CONTOURS: Readonly<Record<EyeContour, number>> = {
  lower0: 0,
  upper0: 9,
  lower1: 16,
  upper1: 25,
  lower2: 32,
  upper2: 41,
  browLower: 48,
  lower3: 54,
  browUpper: 63,
};

/** The iris model's points per eye, and where its 5 iris points start (centre, then round the iris). */
export const IRIS_MODEL_POINTS = 76;
export const IRIS_MODEL_IRIS = 71;

/** The mesh's 468 points; the iris points of the left then the right eye follow (468–477). */
export const MESH_POINTS = 468;
