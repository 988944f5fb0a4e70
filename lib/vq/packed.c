/* SPDX-License-Identifier: BSD-3-Clause */
/* The packed ring engine: being written. */
