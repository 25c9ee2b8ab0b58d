print("perceptron: command line coming soon")
