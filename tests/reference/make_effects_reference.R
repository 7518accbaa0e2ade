# Reference numbers for evsynth's effect sizes (escalc) and Mantel-Haenszel / Peto pooling, computed
# with R's metafor on public datasets shipped with metadat.
#
# Regenerate (needs R >= 4 with metafor and metadat; the project itself never needs R):
#   Rscript tests/reference/make_effects_reference.R
# It writes the input tables to tests/data/pooling/metadat/*.csv (metafor's argument names, one row
# per study; rows with missing values are left out, listed in "left_out") and the reference numbers
# to tests/reference/metafor_effects_reference.json. Every R computation starts from the CSV as
# written, so Python and R see exactly the same numbers.

suppressPackageStartupMessages({
  library(metafor)
  library(metadat)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) >= 1) args[1] else "tests/reference/metafor_effects_reference.json"
data_dir <- if (length(args) >= 2) args[2] else "tests/data/pooling/metadat"
dir.create(data_dir, showWarnings = FALSE, recursive = TRUE)

num <- function(x) if (is.null(x) || length(x) == 0) NULL else unname(as.numeric(x))
scalar <- function(x) if (is.null(x) || length(x) == 0 || is.na(x[1])) NULL else unname(as.numeric(x[1]))

unique_labels <- function(x) {
  x <- as.character(x)
  dup <- duplicated(x) | duplicated(x, fromLast = TRUE)
  x[dup] <- paste0(x[dup], " #", ave(seq_along(x), x, FUN = seq_along)[dup])
  x
}

datasets <- list()
write_dataset <- function(name, kind, df, cols, source, citation) {
  keep <- stats::complete.cases(df[, cols])
  left_out <- as.character(df$study[!keep])
  df <- df[keep, c("study", cols)]
  df$study <- unique_labels(df$study)
  file <- file.path(data_dir, paste0(name, ".csv"))
  write.csv(df, file, row.names = FALSE, na = "")
  datasets[[name]] <<- list(kind = kind, file = file, columns = c("study", cols), k = nrow(df),
                            source = source, citation = citation, left_out = I(left_out))
  read.csv(file, stringsAsFactors = FALSE)
}

# --- Datasets (metadat help pages give the citations) --------------------------------------------
tables <- list()
d <- dat.bcg
tables$bcg <- write_dataset("bcg", "binary",
  data.frame(study = paste(d$author, d$year), ai = d$tpos, bi = d$tneg, ci = d$cpos, di = d$cneg),
  c("ai", "bi", "ci", "di"), "metadat::dat.bcg (tpos tneg cpos cneg)",
  "Colditz et al. (1994) JAMA 271:698")

d <- dat.egger2001
tables$egger2001 <- write_dataset("egger2001", "binary",
  data.frame(study = paste(d$study, d$year), ai = d$ai, n1i = d$n1i, ci = d$ci, n2i = d$n2i),
  c("ai", "n1i", "ci", "n2i"), "metadat::dat.egger2001 (magnesium, mortality)",
  "Egger, Davey Smith & Altman (2001) Systematic Reviews in Health Care, BMJ Books")

d <- dat.nielweise2007
tables$nielweise2007 <- write_dataset("nielweise2007", "binary",
  data.frame(study = paste(d$author, d$year), ai = d$ai, n1i = d$n1i, ci = d$ci, n2i = d$n2i),
  c("ai", "n1i", "ci", "n2i"), "metadat::dat.nielweise2007 (catheter-related bloodstream infections)",
  "Niel-Weise, Stijnen & van den Broek (2007) J Antimicrob Chemother 60:1299")

d <- dat.axfors2021
tables$axfors2021 <- write_dataset("axfors2021", "binary",
  data.frame(study = d$acronym, ai = d$hcq_arm_event, n1i = d$hcq_arm_total,
             ci = d$control_arm_event, n2i = d$control_arm_total),
  c("ai", "n1i", "ci", "n2i"), "metadat::dat.axfors2021 (hydroxychloroquine/chloroquine, mortality)",
  "Axfors et al. (2021) Nat Commun 12:2349")

d <- dat.collins1985a
tables$collins1985a <- write_dataset("collins1985a", "binary",
  data.frame(study = d$trial, ai = d$b.xti, n1i = d$nti, ci = d$b.xci, n2i = d$nci),
  c("ai", "n1i", "ci", "n2i"), "metadat::dat.collins1985a (diuretics, pre-eclampsia)",
  "Collins et al. (1985) Br Med J 290:17")

d <- dat.yusuf1985[dat.yusuf1985$table == "6", ]
tables$yusuf1985 <- write_dataset("yusuf1985", "binary",
  data.frame(study = d$trial, ai = d$ai, n1i = d$n1i, ci = d$ci, n2i = d$n2i),
  c("ai", "n1i", "ci", "n2i"), "metadat::dat.yusuf1985, table 6 (beta blockers, mortality)",
  "Yusuf et al. (1985) Prog Cardiovasc Dis 27:335")

d <- dat.gibson2002
tables$gibson2002_counts <- write_dataset("gibson2002_counts", "binary",
  data.frame(study = paste(d$author, d$year), ai = d$ai, bi = d$bi, ci = d$ci, di = d$di),
  c("ai", "bi", "ci", "di"), "metadat::dat.gibson2002 (asthma self-management; counts)",
  "Gibson et al. (2002) Cochrane Database Syst Rev CD001117")
tables$gibson2002 <- write_dataset("gibson2002", "continuous",
  data.frame(study = paste(d$author, d$year), m1i = d$m1i, sd1i = d$sd1i, n1i = d$n1i,
             m2i = d$m2i, sd2i = d$sd2i, n2i = d$n2i),
  c("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i"),
  "metadat::dat.gibson2002 (asthma self-management; means)",
  "Gibson et al. (2002) Cochrane Database Syst Rev CD001117")

d <- dat.normand1999
tables$normand1999 <- write_dataset("normand1999", "continuous",
  data.frame(study = d$source, m1i = d$m1i, sd1i = d$sd1i, n1i = d$n1i, m2i = d$m2i,
             sd2i = d$sd2i, n2i = d$n2i),
  c("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i"), "metadat::dat.normand1999 (length of stay)",
  "Normand (1999) Stat Med 18:321")

d <- dat.curtis1998
tables$curtis1998 <- write_dataset("curtis1998", "continuous",
  data.frame(study = paste(d$paper, d$genus, d$species), m1i = d$m1i, sd1i = d$sd1i, n1i = d$n1i,
             m2i = d$m2i, sd2i = d$sd2i, n2i = d$n2i),
  c("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i"), "metadat::dat.curtis1998 (woody plant biomass, CO2)",
  "Curtis & Wang (1998) Oecologia 113:299")

# --- escalc --------------------------------------------------------------------------------------
bin_args <- function(t) {
  if ("bi" %in% names(t)) list(ai = t$ai, bi = t$bi, ci = t$ci, di = t$di)
  else list(ai = t$ai, n1i = t$n1i, ci = t$ci, n2i = t$n2i)
}
esc <- list()
variants <- list(
  list(add = 0.5, to = "only0", drop00 = FALSE),
  list(add = 0.5, to = "all", drop00 = FALSE),
  list(add = 0.5, to = "if0all", drop00 = FALSE),
  list(add = 0.5, to = "only0", drop00 = TRUE),
  list(add = 0.25, to = "only0", drop00 = FALSE),
  list(add = 0, to = "none", drop00 = FALSE)
)
for (name in names(tables)) {
  t <- tables[[name]]
  kind <- datasets[[name]]$kind
  if (kind == "binary") {
    for (m in c("OR", "RR", "RD")) for (v in variants) {
      if (v$to == "none" && m != "RD" && name != "bcg") next
      e <- do.call(escalc, c(list(measure = m, add = v$add, to = v$to, drop00 = v$drop00), bin_args(t)))
      esc[[length(esc) + 1]] <- list(dataset = name, measure = m, add = v$add, to = v$to,
                                     drop00 = v$drop00, yi = num(e$yi), vi = num(e$vi))
    }
  } else {
    for (m in c("MD", "SMD", "ROM")) {
      e <- escalc(measure = m, m1i = t$m1i, sd1i = t$sd1i, n1i = t$n1i, m2i = t$m2i, sd2i = t$sd2i,
                  n2i = t$n2i)
      esc[[length(esc) + 1]] <- list(dataset = name, measure = m, add = 0.5, to = "only0",
                                     drop00 = FALSE, yi = num(e$yi), vi = num(e$vi))
    }
  }
}

# --- rma.mh / rma.peto -------------------------------------------------------------------------
fit_fields <- function(res) {
  list(k = res$k, k_yi = res$k.yi, estimate = scalar(res$beta), se = scalar(res$se),
       ci_low = scalar(res$ci.lb), ci_high = scalar(res$ci.ub), stat = scalar(res$zval),
       p = scalar(res$pval), q = scalar(res$QE), q_df = res$k.yi - 1, q_p = scalar(res$QEp),
       i2 = scalar(res$I2), h2 = scalar(res$H2), weights = num(weights(res)),
       yi = num(res$yi.f), vi = num(res$vi.f))
}
mh <- list(); peto <- list()
for (name in names(tables)) {
  if (datasets[[name]]$kind != "binary") next
  t <- tables[[name]]
  for (m in c("OR", "RR", "RD")) for (level in c(95, 90)) for (correct in c(TRUE, FALSE)) {
    if ((level == 90 || !correct) && !(name %in% c("bcg", "yusuf1985"))) next
    if (!correct && m != "OR") next
    res <- suppressWarnings(do.call(rma.mh, c(list(measure = m, level = level, correct = correct),
                                              bin_args(t))))
    f <- fit_fields(res)
    if (m == "OR") { f$cmh <- scalar(res$MH); f$cmh_p <- scalar(res$MHp) }
    mh[[length(mh) + 1]] <- c(list(dataset = name, measure = m, level = level / 100,
                                   correct = correct), f)
  }
  for (level in c(95, 90)) {
    if (level == 90 && !(name %in% c("bcg", "yusuf1985"))) next
    res <- suppressWarnings(do.call(rma.peto, c(list(level = level), bin_args(t))))
    peto[[length(peto) + 1]] <- c(list(dataset = name, level = level / 100), fit_fields(res))
  }
}

# --- Inverse-variance pooling of escalc output (rma.uni), to check the yi/vi route end to end -----
iv <- list()
for (case in list(c("bcg", "RR", "REML"), c("egger2001", "OR", "DL"), c("axfors2021", "RD", "REML"),
                  c("normand1999", "SMD", "REML"), c("curtis1998", "ROM", "DL"),
                  c("gibson2002", "MD", "PM"))) {
  t <- tables[[case[1]]]
  e <- if (datasets[[case[1]]]$kind == "binary") {
    do.call(escalc, c(list(measure = case[2]), bin_args(t)))
  } else {
    escalc(measure = case[2], m1i = t$m1i, sd1i = t$sd1i, n1i = t$n1i, m2i = t$m2i,
           sd2i = t$sd2i, n2i = t$n2i)
  }
  res <- suppressWarnings(rma(yi, vi, data = e, method = case[3],
                              control = list(threshold = 1e-11, maxiter = 10000, tol = 1e-14)))
  iv[[length(iv) + 1]] <- list(dataset = case[1], measure = case[2], method = case[3], k = res$k,
                               estimate = scalar(res$beta), se = scalar(res$se),
                               ci_low = scalar(res$ci.lb), ci_high = scalar(res$ci.ub),
                               tau2 = scalar(res$tau2), q = scalar(res$QE), i2 = scalar(res$I2))
}

ref <- list(
  generated_by = "tests/reference/make_effects_reference.R",
  r_version = paste(R.version$major, R.version$minor, sep = "."),
  metafor_version = as.character(packageVersion("metafor")),
  metadat_version = as.character(packageVersion("metadat")),
  datasets = datasets, escalc = esc, rma_mh = mh, rma_peto = peto, rma_uni = iv
)
writeLines(toJSON(ref, auto_unbox = TRUE, digits = NA, null = "null", na = "null", pretty = TRUE),
           out)
cat("wrote", out, ":", length(esc), "escalc,", length(mh), "rma.mh,", length(peto), "rma.peto,",
    length(iv), "rma.uni\n")
