/* SPDX-License-Identifier: BSD-3-Clause */
/* The split ring engine: being written. */
