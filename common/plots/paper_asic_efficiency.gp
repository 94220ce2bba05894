# One MAC (tech table energy) and one synthesized PE (Yosys area) of each precision, as FP32 / that
# precision, log y. Data: asic.dat (column 2 precision, 3 energy ratio, 4 area ratio).
reset
set terminal pngcairo size 900,600 noenhanced
set grid
set style data histograms
set style fill solid 0.8
set logscale y
# From 0.5 so the FP32 reference (ratio 1) is a visible bar too.
set yrange [0.5:*]
set xtics rotate by -30
set output 'asic_efficiency.png'
set title @TITLE@
set xlabel @XLABEL@
set ylabel @YLABEL@
plot 'asic.dat' using 3:xtic(2) title 'MAC energy', '' using 4 title 'synthesized PE area'
