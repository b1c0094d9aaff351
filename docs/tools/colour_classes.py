#!/usr/bin/env python3
"""Writes generated colour few-shot classes as ROOT/classNNN/NN.png (standard library only).

Each image is a bar (horizontal or vertical, at a random place, 4-7 pixels thick at 32 px, scaled with the size)
in its class's colour on a random background colour, with noise: a class is told apart by colour alone, so gray
training cannot separate classes whose colours share a luminance. The same design as the tests' ColourClasses.

    python3 docs/tools/colour_classes.py ROOT [--classes 100] [--images 20] [--size 32] [--seed 0]
"""
import argparse, colorsys, os, random, struct, zlib


def write_png(path, size, rgb):
    raw = b''.join(b'\x00' + bytes(rgb[r * size * 3:(r + 1) * size * 3]) for r in range(size))
    def chunk(kind, data):
        return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff)
    with open(path, 'wb') as f:
        f.write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', size, size, 8, 2, 0, 0, 0))
                + chunk(b'IDAT', zlib.compress(raw, 6)) + chunk(b'IEND', b''))


def main():
    p = argparse.ArgumentParser()
    p.add_argument('root')
    p.add_argument('--classes', type=int, default=100)
    p.add_argument('--images', type=int, default=20)
    p.add_argument('--size', type=int, default=32)
    p.add_argument('--seed', type=int, default=0)
    a = p.parse_args()
    rng = random.Random(a.seed)
    for c in range(a.classes):
        r, g, b = colorsys.hsv_to_rgb(c * 0.618034 % 1.0, 0.6 + 0.4 * rng.random(), 0.55 + 0.45 * rng.random())
        bar = (int(255 * r), int(255 * g), int(255 * b))
        folder = os.path.join(a.root, f'class{c:03d}')
        os.makedirs(folder, exist_ok=True)
        for i in range(a.images):
            background = [rng.randrange(256) for _ in range(3)]
            horizontal = rng.random() < 0.5
            thickness = max(1, (4 + rng.randrange(4)) * a.size // 32)
            at = rng.randrange(a.size - thickness)
            rgb = bytearray(a.size * a.size * 3)
            for y in range(a.size):
                for x in range(a.size):
                    along = y if horizontal else x
                    colour = bar if at <= along < at + thickness else background
                    for k in range(3):
                        rgb[(y * a.size + x) * 3 + k] = max(0, min(255, colour[k] + rng.randint(-12, 12)))
            write_png(os.path.join(folder, f'{i:02d}.png'), a.size, rgb)


if __name__ == '__main__':
    main()
