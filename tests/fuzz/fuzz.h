/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The entry point every fuzz target defines: libFuzzer's. With -Dfuzz=true
 * libFuzzer drives it; otherwise standalone.c runs it over the seed corpus
 * and deterministic mutations of it.
 */
#ifndef VMMIO_FUZZ_H
#define VMMIO_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif /* VMMIO_FUZZ_H */
