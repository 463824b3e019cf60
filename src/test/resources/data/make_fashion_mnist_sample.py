#!/usr/bin/env python3
"""Writes the bundled Fashion-MNIST sample and prints the training set's pixel mean and std.

Usage: make_fashion_mnist_sample.py [SRC_DIR] [OUT_DIR]
  SRC_DIR defaults to Debian's /usr/share/datasets/fashion-mnist (apt-get install dataset-fashion-mnist);
  OUT_DIR to src/main/resources/io/github/resnet4j/data/fashion-mnist-sample.

Takes the first 200 training and the first 50 test images of each class, in file order, and writes them
under the four standard names as gzip'd IDX files with mtime 0, so reruns give identical bytes. The mean
and std (in [0, 1] units, over all 47,040,000 training pixels) are FashionMnist.MEAN and .STD.
"""
import gzip
import math
import os
import struct
import sys

SRC = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist"
OUT = sys.argv[2] if len(sys.argv) > 2 else "src/main/resources/io/github/resnet4j/data/fashion-mnist-sample"
PER_CLASS = {"train": 200, "t10k": 50}


def read(name):
    with gzip.open(os.path.join(SRC, name + ".gz"), "rb") as f:
        return f.read()


def write(name, header, payload):
    with open(os.path.join(OUT, name + ".gz"), "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as f:
            f.write(header + payload)


def main():
    os.makedirs(OUT, exist_ok=True)
    for split, k in PER_CLASS.items():
        images = read(split + "-images-idx3-ubyte")
        labels = read(split + "-labels-idx1-ubyte")
        magic, n, rows, cols = struct.unpack(">IIII", images[:16])
        assert magic == 0x803 and struct.unpack(">II", labels[:8]) == (0x801, n)
        pixels, labels = images[16:], labels[8:]
        taken, chosen = [0] * 10, []
        for i in range(n):
            if taken[labels[i]] < k:
                taken[labels[i]] += 1
                chosen.append(i)
        size = rows * cols
        write(split + "-images-idx3-ubyte", struct.pack(">IIII", 0x803, len(chosen), rows, cols),
              b"".join(pixels[i * size:(i + 1) * size] for i in chosen))
        write(split + "-labels-idx1-ubyte", struct.pack(">II", 0x801, len(chosen)),
              bytes(labels[i] for i in chosen))
        print(split, len(chosen), "examples, last index", chosen[-1])
        if split == "train":
            hist = [pixels.count(bytes([v])) for v in range(256)]
            count = sum(hist)
            mean = sum(v * h for v, h in enumerate(hist)) / count
            var = sum(v * v * h for v, h in enumerate(hist)) / count - mean * mean
            print("train pixels %d: mean %.10f std %.10f" % (count, mean / 255, math.sqrt(var) / 255))


if __name__ == "__main__":
    main()
