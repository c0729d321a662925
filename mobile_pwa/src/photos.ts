/**
 * A visit's photo made small on the phone before it is stored: a cheap phone's camera makes
 * 3-8 MB pictures, and they go up over a weak 2G/3G link from a village. At most 1280 px on the
 * long side, JPEG, and under 300 KB (quality first, then size, lowered until it fits).
 */

export const MAX_SIDE = 1280
export const MAX_BYTES = 300 * 1024
/** Tried at each size before the size is lowered. */
const QUALITIES = [0.7, 0.55, 0.4]
/** Each step down keeps this share of the side; below the last the photo says little. */
const SCALE_STEP = 0.75
const SMALLEST_SCALE = 0.3

export function fitWithin(width: number, height: number, maxSide = MAX_SIDE): { width: number; height: number } {
  const scale = Math.min(1, maxSide / Math.max(width, height))
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) }
}

/** Encode the picture at `scale` of its fitted size and a JPEG quality. */
export type Encode = (scale: number, quality: number) => Promise<Blob>

/** The first encoding within `maxBytes`, or the smallest of all if none is. */
export async function shrinkUntilSmall(encode: Encode, maxBytes = MAX_BYTES): Promise<Blob> {
  let smallest: Blob | null = null
  for (let scale = 1; scale >= SMALLEST_SCALE; scale *= SCALE_STEP) {
    for (const quality of QUALITIES) {
      const blob = await encode(scale, quality)
      if (blob.size <= maxBytes) return blob
      if (!smallest || blob.size < smallest.size) smallest = blob
    }
  }
  return smallest as Blob
}

type Picture = ImageBitmap | HTMLImageElement

async function decode(file: Blob): Promise<Picture> {
  if (typeof createImageBitmap === 'function') {
    try {
      // Camera JPEGs are often stored sideways with an EXIF turn: apply it.
      return await createImageBitmap(file, { imageOrientation: 'from-image' })
    } catch {
      // Some old WebViews refuse the options or the format: an <img> may still read it.
    }
  }
  const url = URL.createObjectURL(file)
  try {
    const img = new Image()
    img.src = url
    await img.decode()
    return img
  } finally {
    URL.revokeObjectURL(url)
  }
}

function sizeOf(picture: Picture): { width: number; height: number } {
  return 'naturalWidth' in picture
    ? { width: picture.naturalWidth, height: picture.naturalHeight }
    : { width: picture.width, height: picture.height }
}

function draw(picture: Picture, width: number, height: number, quality: number): Promise<Blob> {
  // OffscreenCanvas where there is one (Chrome 69+); Safari 14 has only the DOM canvas.
  if (typeof OffscreenCanvas !== 'undefined') {
    const canvas = new OffscreenCanvas(width, height)
    paint(canvas.getContext('2d'), picture, width, height)
    return canvas.convertToBlob({ type: 'image/jpeg', quality })
  }
  const canvas = document.createElement('canvas')
  canvas.width = width
  canvas.height = height
  paint(canvas.getContext('2d'), picture, width, height)
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('canvas gave no JPEG'))), 'image/jpeg', quality),
  )
}

function paint(
  ctx: OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D | null,
  picture: Picture,
  width: number,
  height: number,
) {
  if (!ctx) throw new Error('no 2D canvas')
  // JPEG has no transparency: a PNG screenshot would otherwise turn black.
  ctx.fillStyle = '#fff'
  ctx.fillRect(0, 0, width, height)
  ctx.drawImage(picture, 0, 0, width, height)
}

/** The photo as it is stored and uploaded: a JPEG within MAX_SIDE and (nearly always) MAX_BYTES. */
export async function compressPhoto(file: Blob): Promise<Blob> {
  const picture = await decode(file)
  try {
    const fitted = fitWithin(sizeOf(picture).width, sizeOf(picture).height)
    return await shrinkUntilSmall((scale, quality) =>
      draw(
        picture,
        Math.max(1, Math.round(fitted.width * scale)),
        Math.max(1, Math.round(fitted.height * scale)),
        quality,
      ),
    )
  } finally {
    if ('close' in picture) picture.close()
  }
}
