"""Direct quotations and who said them: quote marks paired per paragraph, attribution cues, a
speaker registry that resolves "Ms Sherman" and "she" to the fullest name, and ranking.
"""
